import { HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import { GuildInstalls, PlanKey } from "../../core/index.js"
import {
  apiClient,
  createTenantWithKey,
  guildId,
  issueOperatorKey,
  makeTestServer,
  ownerId,
  raw,
  rawJson,
  testDiscordApplicationId,
  testPublicUrl,
  TestServer
} from "./harness.js"

/** Invite links, Discord's callback and unclaimed guilds through the API. */

const premium = PlanKey.make("premium")

/** An invite link made by the tenant's key, and its state. */
const inviteFor = (key: string) =>
  Effect.gen(function*() {
    const created = yield* rawJson("POST", "/discord/invite", key, {})
    assert.strictEqual(created.status, 200)
    const url = new URL(created.body.url as string)
    return { url, state: url.searchParams.get("state")! }
  })

/** The callback as Discord's redirect calls it: no API key. */
const callback = (query: Record<string, string>) =>
  Effect.map(
    raw("GET", `/discord/callback?${new URLSearchParams(query).toString()}`, ""),
    ({ status, text }) => ({ status, body: JSON.parse(text) })
  )

const gatewaySees = (n: number) =>
  Effect.flatMap(
    GuildInstalls,
    (installs) => installs.guildAvailable({ guildId: guildId(n), name: `Guild ${n}`, ownerId })
  )

describe("POST /discord/invite", () => {
  it.effect("a tenant key gets a link naming the application, our callback and a state", () =>
    Effect.gen(function*() {
      const { key } = yield* createTenantWithKey(yield* issueOperatorKey, "Acme", premium)
      const { url } = yield* inviteFor(key)
      assert.strictEqual(url.searchParams.get("client_id"), testDiscordApplicationId)
      assert.strictEqual(url.searchParams.get("redirect_uri"), `${testPublicUrl}/discord/callback`)
      const custom = yield* rawJson("POST", "/discord/invite", key, { redirectUri: "https://acme.test/back" })
      assert.strictEqual(new URL(custom.body.url).searchParams.get("redirect_uri"), "https://acme.test/back")
    }).pipe(Effect.provide(TestServer)))

  it.effect("needs an API key; an operator key must name the tenant", () =>
    Effect.gen(function*() {
      const anonymous = yield* raw("POST", "/discord/invite", "", {})
      assert.strictEqual(anonymous.status, 401)
      const operatorKey = yield* issueOperatorKey
      const unnamed = yield* rawJson("POST", "/discord/invite", operatorKey, {})
      assert.strictEqual(unnamed.status, 400)
      assert.match(unnamed.body.message, /must name the tenant/)
      const { tenant } = yield* createTenantWithKey(operatorKey, "Acme", premium)
      const named = yield* rawJson("POST", "/discord/invite", operatorKey, { tenantId: tenant.id })
      assert.strictEqual(named.status, 200)
    }).pipe(Effect.provide(TestServer)))

  it.effect("without DISCORD_APPLICATION_ID: 503 saying what to set", () =>
    Effect.gen(function*() {
      const { key } = yield* createTenantWithKey(yield* issueOperatorKey, "Acme", premium)
      const refused = yield* rawJson("POST", "/discord/invite", key, {})
      assert.strictEqual(refused.status, 503)
      assert.strictEqual(refused.body._tag, "DiscordNotConfigured")
      assert.match(refused.body.message, /Set DISCORD_APPLICATION_ID/)
    }).pipe(Effect.provide(makeTestServer(undefined, { discordApplicationId: Option.none() }))))
})

describe("GET /discord/callback", () => {
  it.effect("before the bot joins: pending; the join installs the guild under the tenant", () =>
    Effect.gen(function*() {
      const { client, key, tenant } = yield* createTenantWithKey(yield* issueOperatorKey, "Acme", premium)
      const { state } = yield* inviteFor(key)
      const pending = yield* callback({ state, guild_id: guildId(1), code: "abc", permissions: "268454912" })
      assert.strictEqual(pending.status, 200)
      assert.deepStrictEqual(pending.body.status, "pending")
      assert.match(pending.body.message, /Waiting for the bot to join/)

      assert.strictEqual((yield* gatewaySees(1))._tag, "Installed")
      const asset = yield* client.assets.get({ path: { guildId: guildId(1) } })
      assert.strictEqual(asset.tenantId, tenant.id)
    }).pipe(Effect.provide(TestServer)))

  it.effect("after the bot joined: installed at once", () =>
    Effect.gen(function*() {
      const { key, tenant } = yield* createTenantWithKey(yield* issueOperatorKey, "Acme", premium)
      yield* gatewaySees(2)
      const installed = yield* callback({ state: (yield* inviteFor(key)).state, guild_id: guildId(2) })
      assert.strictEqual(installed.status, 200)
      assert.strictEqual(installed.body.status, "installed")
      assert.strictEqual(installed.body.tenantId, tenant.id)
    }).pipe(Effect.provide(TestServer)))

  it.effect("a bad state, a missing guild and a canceled authorization are 400 with what to do", () =>
    Effect.gen(function*() {
      const { key } = yield* createTenantWithKey(yield* issueOperatorKey, "Acme", premium)
      const { state } = yield* inviteFor(key)
      const tampered = yield* callback({ state: `${state.slice(0, -2)}xx`, guild_id: guildId(3) })
      assert.strictEqual(tampered.status, 400)
      assert.strictEqual(tampered.body._tag, "InvalidInviteState")
      assert.strictEqual(tampered.body.reason, "bad_signature")
      assert.match(tampered.body.remediation, /new invite link/)

      const noGuild = yield* callback({ state })
      assert.strictEqual(noGuild.status, 400)
      assert.strictEqual(noGuild.body._tag, "InviteCallbackIncomplete")

      const canceled = yield* callback({ error: "access_denied", error_description: "The resource owner denied" })
      assert.strictEqual(canceled.status, 400)
      assert.match(canceled.body.message, /Discord did not add the bot: The resource owner denied/)
    }).pipe(Effect.provide(TestServer)))

  it.effect("a refused install (the plan's guild limit) is 409 with the upgrade hint", () =>
    Effect.gen(function*() {
      const { client, key } = yield* createTenantWithKey(yield* issueOperatorKey, "Tiny", PlanKey.make("free"))
      yield* client.assets.install({ path: { guildId: guildId(4) }, payload: { name: "First", ownerId } })
      yield* gatewaySees(5)
      const refused = yield* callback({ state: (yield* inviteFor(key)).state, guild_id: guildId(5) })
      assert.strictEqual(refused.status, 409)
      assert.strictEqual(refused.body._tag, "GuildInstallRefused")
      assert.strictEqual(refused.body.reason, "GuildLimitReached")
      assert.match(refused.body.remediation, /Upgrade/)
    }).pipe(Effect.provide(TestServer)))
})

describe("unclaimed guilds", () => {
  it.effect("the operator lists them and claims one for a tenant; tenant keys get 403", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const operator = yield* apiClient(operatorKey)
      const { key, tenant } = yield* createTenantWithKey(operatorKey, "Acme", premium)
      yield* gatewaySees(6)

      const listed = yield* operator.discord.unclaimed()
      assert.deepStrictEqual(listed.map((g) => g.guildId), [guildId(6)])
      assert.strictEqual((yield* raw("GET", "/discord/unclaimed", key)).status, 403)
      const byTenant = yield* rawJson("POST", `/discord/unclaimed/${guildId(6)}/claim`, key, { tenantId: tenant.id })
      assert.strictEqual(byTenant.status, 403)
      assert.strictEqual(byTenant.body._tag, "OperatorOnly")

      const claimed = yield* operator.discord.claim({ path: { guildId: guildId(6) }, payload: { tenantId: tenant.id } })
      assert.strictEqual(claimed.status, "installed")
      assert.strictEqual(claimed.tenantId, tenant.id)
      assert.deepStrictEqual(yield* operator.discord.unclaimed(), [])

      const unknown = yield* rawJson("POST", `/discord/unclaimed/${guildId(7)}/claim`, operatorKey, {
        tenantId: tenant.id
      })
      assert.strictEqual(unknown.status, 404)
      assert.strictEqual(unknown.body._tag, "UnclaimedGuildNotFound")
    }).pipe(Effect.provide(TestServer)))
})

describe("GET /discord/callback in a browser", () => {
  /** The callback as the admin's browser follows Discord's redirect: it accepts HTML. */
  const inBrowser = (query: Record<string, string>) =>
    Effect.gen(function*() {
      const response = yield* HttpClient.execute(
        HttpClientRequest.get(`/discord/callback?${new URLSearchParams(query).toString()}`).pipe(
          HttpClientRequest.setHeader("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        )
      )
      assert.include(response.headers["content-type"], "text/html")
      return { status: response.status, text: yield* response.text }
    })

  it.effect("a page says what happened: pending, installed, a bad link, a refusal", () =>
    Effect.gen(function*() {
      const { client, key } = yield* createTenantWithKey(yield* issueOperatorKey, "Tiny", PlanKey.make("free"))
      const pending = yield* inBrowser({ state: (yield* inviteFor(key)).state, guild_id: guildId(6) })
      assert.strictEqual(pending.status, 200)
      assert.include(pending.text, "Almost there")
      yield* gatewaySees(6)
      const installed = yield* inBrowser({ state: (yield* inviteFor(key)).state, guild_id: guildId(6) })
      assert.strictEqual(installed.status, 200)
      assert.include(installed.text, "The bot is in your server")

      const { state } = yield* inviteFor(key)
      const tampered = yield* inBrowser({ state: `${state.slice(0, -2)}xx`, guild_id: guildId(7) })
      assert.strictEqual(tampered.status, 400)
      assert.include(tampered.text, "This invite link did not work")

      // The free plan holds one guild, and guild 6 is it.
      yield* gatewaySees(8)
      const refused = yield* inBrowser({ state: (yield* inviteFor(key)).state, guild_id: guildId(8) })
      assert.strictEqual(refused.status, 409)
      assert.include(refused.text, "could not be set up")
      assert.include(refused.text, "Upgrade")
      assert.isTrue(Exit.isFailure(yield* Effect.exit(client.assets.get({ path: { guildId: guildId(8) } }))))
    }).pipe(Effect.provide(TestServer)))
})
