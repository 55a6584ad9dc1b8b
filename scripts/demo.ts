/**
 * `npm run demo`: the whole story in the terminal. Starts the built runner
 * (dist/guildhall.mjs, hosted, embedded PGlite in a temporary directory)
 * against a local FakeDiscord and FakePolar, then walks it: a tenant, an
 * invite, a guild joining, /setup's three steps, a member's /purchase, the
 * signed Polar webhook, and the role granted on "Discord". Every step prints
 * what happened; the runner's own log is printed if a step fails.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { FakeDiscord } from "../test/support/fakes/FakeDiscord.js"
import { FakePolar } from "../test/support/fakes/FakePolar.js"
import { signPolarWebhook } from "../test/support/fakes/signing.js"
import { freePort } from "../test/support/freePort.js"

const botToken = "demo-bot-token"
const polarToken = "polar_oat_demo"
const polarSecret = "polar_whs_demo"
const polarProductId = "6f1d3c2b-8a9e-4f70-b1c2-d3e4f5a6b7c8"
const guildId = "800000000000000001"
const ownerId = "300000000000000001"
const memberId = "300000000000000002"
const botRoleId = "400000000000000001"
const vipRoleId = "400000000000000002"
const channelId = "500000000000000001"

let step = 0
const say = (line: string) => Effect.sync(() => console.log(`\n\x1b[1m${++step}. ${line}\x1b[0m`))
const show = (line: string) => Effect.sync(() => console.log(`   ${line.replaceAll("\n", "\n   ")}`))

interface Runner {
  readonly child: ChildProcess
  readonly url: string
  readonly output: () => string
}

/** `guildhall serve` (hosted) on a fresh data directory, stopped with SIGTERM when the scope closes. */
const startRunner = (env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.promise(async (): Promise<Runner> => {
      const port = await freePort()
      const dataDir = mkdtempSync(path.join(tmpdir(), "guildhall-demo-"))
      const url = `http://127.0.0.1:${port}`
      const childEnv: NodeJS.ProcessEnv = {
        ...process.env,
        ...env,
        PORT: String(port),
        GUILDHALL_DATA_DIR: dataDir,
        GUILDHALL_PUBLIC_URL: url,
        LOG_FORMAT: "json"
      }
      delete childEnv.DATABASE_URL
      const child = spawn(process.execPath, [path.resolve("dist/guildhall.mjs"), "serve", "--mode", "hosted"], {
        env: childEnv,
        stdio: ["ignore", "pipe", "pipe"]
      })
      let output = ""
      child.stdout!.on("data", (chunk) => (output += chunk))
      child.stderr!.on("data", (chunk) => (output += chunk))
      child.once("exit", () => rmSync(dataDir, { recursive: true, force: true }))
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the runner was not serving after 60 s:\n${output}`)), 60_000)
        child.once("exit", (code) => reject(new Error(`the runner exited with ${code}:\n${output}`)))
        child.stdout!.on("data", () => {
          if (output.includes("is serving on")) {
            clearTimeout(timer)
            resolve()
          }
        })
      })
      return { child, url, output: () => output }
    }),
    (runner) =>
      Effect.promise(() =>
        new Promise<void>((resolve) => {
          if (runner.child.exitCode !== null) return resolve()
          const timer = setTimeout(() => runner.child.kill("SIGKILL"), 15_000)
          runner.child.once("exit", (code) => {
            clearTimeout(timer)
            console.log(`\nThe runner stopped on SIGTERM (exit code ${code}).`)
            resolve()
          })
          runner.child.kill("SIGTERM")
        })
      )
  )

const call = (runner: Runner, method: string, route: string, key: string | null, body?: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(`${runner.url}${route}`, {
      method,
      headers: {
        ...(key === null ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" })
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const text = await response.text()
    if (response.status >= 400) throw new Error(`${method} ${route} answered ${response.status}: ${text}`)
    return (text === "" ? {} : JSON.parse(text)) as Record<string, string>
  })

const waitFor = (what: string, check: () => boolean, within = 10_000) =>
  Effect.promise(async () => {
    const started = Date.now()
    while (!check()) {
      if (Date.now() - started > within) throw new Error(`timed out waiting for ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return Date.now() - started
  })

const story = Effect.gen(function*() {
  const discord = yield* FakeDiscord.make({ token: botToken })
  const polar = yield* FakePolar.make({ tokens: [polarToken], products: [polarProductId] })
  const runner = yield* startRunner({
    DISCORD_TOKEN: botToken,
    DISCORD_API_BASE: discord.apiBase,
    DISCORD_APPLICATION_ID: discord.applicationId,
    POLAR_API_BASE: polar.baseUrl
  })
  const interact = (
    userId: string,
    name: string,
    subcommand?: string,
    options?: Record<string, string | number | boolean>
  ) =>
    Effect.promise(() =>
      discord.interact({
        guildId,
        channelId,
        userId,
        name,
        ...(subcommand === undefined ? {} : { subcommand }),
        ...(options === undefined ? {} : { options }),
        optionTypes: { role: 8 }
      })
    ).pipe(Effect.tap((outcome) => show(`${outcome.ephemeral ? "(only you can see this) " : ""}${outcome.content}`)))

  return yield* Effect.gen(function*() {
    yield* say(`The runner is serving on ${runner.url} (hosted, embedded PGlite), connected to a local Discord`)
    const operatorKey = /Operator API key[^:]*: (gh_live_[A-Za-z0-9_-]{43})/.exec(runner.output())?.[1]
    if (operatorKey === undefined) throw new Error("the first boot printed no operator key")
    yield* show(`first boot: the operator's key ${operatorKey.slice(0, 16)}…`)

    yield* say("The operator creates a tenant on the Premium plan and gives it an API key")
    const tenant = yield* call(runner, "POST", "/tenants", operatorKey, { name: "Acme Games", planKey: "premium" })
    const issued = yield* call(runner, "POST", `/tenants/${tenant.id}/api-keys`, operatorKey, { name: "dashboard" })
    const tenantKey = issued.key!
    yield* show(`tenant ${tenant.id} "${tenant.name}", key ${tenantKey.slice(0, 16)}…`)

    yield* say("The tenant connects its Polar organization (token and webhook secret)")
    yield* call(runner, "PUT", "/billing/providers/polar", tenantKey, {
      accessToken: polarToken,
      webhookSecret: polarSecret
    })
    yield* show("Polar configured")

    yield* say("The tenant asks for an invite link; the guild's owner adds the bot to 'Acme Hall'")
    const invite = yield* call(runner, "POST", "/discord/invite", tenantKey, {})
    yield* show(invite.url!)
    discord.addGuild({
      id: guildId,
      name: "Acme Hall",
      ownerId,
      roles: [
        FakeDiscord.role(botRoleId, "Guildhall", 5, 1n << 28n, { managed: true }),
        FakeDiscord.role(vipRoleId, "VIP", 3)
      ],
      channels: [FakeDiscord.textChannel(channelId, "general")],
      botRoleIds: [botRoleId],
      members: [{ id: ownerId, username: "owner" }, { id: memberId, username: "member" }]
    })
    const state = new URL(invite.url!).searchParams.get("state")!
    const installed = yield* call(
      runner,
      "GET",
      `/discord/callback?state=${encodeURIComponent(state)}&guild_id=${guildId}&code=demo&permissions=268435456`,
      null
    )
    yield* show(`Discord redirects back: ${installed.status}: ${installed.message}`)
    yield* waitFor("the guild's commands", () => discord.commandsOf(guildId).length > 0)
    yield* show(`commands registered in Acme Hall: /${discord.commandsOf(guildId).map((c) => c.name).join(", /")}`)

    yield* say("The owner runs /setup: step 1/3, features")
    yield* interact(ownerId, "setup", "start")
    yield* interact(ownerId, "setup", "features", { enable: "paid-roles, xp" })

    yield* say("Step 2/3: sell the VIP role for 10 USD a month")
    yield* interact(ownerId, "setup", "roles", { role: vipRoleId, price: 1000, currency: "USD" })
    yield* interact(ownerId, "setup", "roles", { done: true })
    yield* call(runner, "PUT", `/guilds/${guildId}/paid-roles/${vipRoleId}`, tenantKey, {
      name: "VIP",
      price: { minor: 1000, currency: "USD" },
      stripePriceId: null,
      polarProductId,
      sepayPassDays: null,
      graceDays: 3
    })
    yield* show(`(the dashboard links VIP to the Polar product ${polarProductId})`)

    yield* say("Step 3/3: members pay through Polar; /setup finish checks the bot can manage VIP")
    yield* interact(ownerId, "setup", "providers", { offer: "polar" })
    yield* interact(ownerId, "setup", "finish")
    yield* show(`commands now: /${discord.commandsOf(guildId).map((c) => c.name).join(", /")}`)

    yield* say("A member runs /purchase VIP")
    yield* interact(memberId, "purchase", undefined, { product: "VIP", provider: "polar" })
    const checkout = polar.requests.find((request) => request.path === "/v1/checkouts/")
    const metadata = (checkout?.body as { metadata?: Record<string, string> } | undefined)?.metadata
    if (metadata === undefined) throw new Error("no Polar checkout was created")
    yield* show(`Polar checkout created with metadata ${JSON.stringify(metadata)}`)

    yield* say("The member pays; Polar sends subscription.active, signed with the tenant's webhook secret")
    const created = Date.now() - 60_000
    const body = JSON.stringify({
      type: "subscription.active",
      timestamp: new Date().toISOString(),
      data: {
        id: "2f0c4e1a-5b6d-4c7e-8f9a-0b1c2d3e4f5a",
        created_at: new Date(created).toISOString(),
        modified_at: new Date().toISOString(),
        amount: 1000,
        currency: "usd",
        recurring_interval: "month",
        status: "active",
        current_period_start: new Date(created).toISOString(),
        current_period_end: new Date(created + 30 * 86_400_000).toISOString(),
        cancel_at_period_end: false,
        customer_id: "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        product_id: polarProductId,
        metadata
      }
    })
    const sent = Date.now()
    const response = yield* Effect.promise(() =>
      fetch(`${runner.url}/webhooks/polar/${tenant.id}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...signPolarWebhook({ secret: polarSecret, body }) },
        body
      })
    )
    yield* show(`POST /webhooks/polar/${tenant.id} → ${response.status} after ${Date.now() - sent} ms`)

    yield* say("The role is granted on Discord")
    yield* waitFor("the VIP role", () => discord.rolesOf(guildId, memberId)?.includes(vipRoleId) === true)
    const grant = discord.requests.find((request) => request.method === "PUT" && request.path.endsWith(vipRoleId))
    yield* show(
      `PUT ${grant?.path} ${grant === undefined ? "" : `${grant.at - sent} ms after the webhook was sent`} ` +
        `(audit log: "${grant?.auditLogReason}")`
    )
    yield* interact(memberId, "status")
    console.log("\nThat is the whole story: tenant → invite → guild → /setup → paid role → webhook → role.")
  }).pipe(
    Effect.tapErrorCause(() => Effect.sync(() => console.error(`\nThe runner's log:\n${runner.output()}`)))
  )
}).pipe(Effect.scoped)

NodeRuntime.runMain(story)
