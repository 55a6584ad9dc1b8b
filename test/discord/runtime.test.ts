import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Redacted, Schedule, Scope } from "effect"
import {
  BackgroundComponents,
  Currency,
  GuildFeatures,
  GuildId,
  GuildInstalls,
  GuildRepo,
  type Job,
  PaidRoles,
  PaymentSetup,
  PlanKey,
  RoleId,
  Tenancy,
  type TenantId,
  UserId,
  WhiteLabel
} from "../../core/index.js"
import { DiscordGatewayLive } from "../../programs/DiscordGateway.js"
import { polarSettings, polarSubscriptionEvent, polarToken, postPolar } from "../http/paymentFixtures.js"
import { jobsOf } from "../support/billing.js"
import { botRuntime, botSettings, botToken, eventually, startBot } from "../support/botRuntime.js"
import { FakeDiscord } from "../support/fakes/FakeDiscord.js"
import { FakePolar } from "../support/fakes/FakePolar.js"
import { sqlDatabases } from "../support/stores.js"

/**
 * The Discord runtime end to end: an unmodified discord.js client against
 * FakeDiscord, the runner's composition over PGlite and the Postgres server,
 * the job worker and the HTTP API (for the signed Polar webhooks).
 */

const ownerId = "300000000000000001"
const memberId = "300000000000000002"
const botRoleId = "400000000000000001"
const paidRoleId = "400000000000000002"
const highRoleId = "400000000000000003"
const channelId = "500000000000000001"
const polarProductId = "6f1d3c2b-8a9e-4f70-b1c2-d3e4f5a6b7c8"
const manageRoles = 1n << 28n

let guildCounter = 0
const newGuildId = () => GuildId.make(`61000000000000${String(++guildCounter).padStart(4, "0")}`)

/** The bot's role (Manage Roles) sits above the paid role and below `highRoleId`. */
const guildOf = (guildId: GuildId) => ({
  id: guildId,
  name: "Acme Hall",
  ownerId,
  roles: [
    FakeDiscord.role(botRoleId, "Guildhall", 5, manageRoles, { managed: true }),
    FakeDiscord.role(paidRoleId, "VIP", 3),
    FakeDiscord.role(highRoleId, "Legend", 9)
  ],
  channels: [FakeDiscord.textChannel(channelId, "general")],
  botRoleIds: [botRoleId],
  members: [{ id: ownerId }, { id: memberId }]
})

const commandNames = (discord: FakeDiscord, guildId: GuildId) =>
  discord.commandsOf(guildId).map((command) => command.name).sort()

const commandPutsTo = (discord: FakeDiscord) =>
  discord.requests.filter((request) => request.method === "PUT" && /\/guilds\/\d+\/commands$/.test(request.path))

const roleRequests = (discord: FakeDiscord, method: "PUT" | "DELETE", roleId: string) =>
  discord.requests.filter((request) => request.method === method && request.path.endsWith(`/roles/${roleId}`))

const premiumTenant = (name: string) =>
  Effect.flatMap(Tenancy, (tenancy) => tenancy.createTenant({ name, planKey: PlanKey.make("premium") }))

/** A guild installed under the tenant before the bot connects (it is in the bot's READY). */
const installedGuild = (discord: FakeDiscord, tenantId: TenantId) =>
  Effect.gen(function*() {
    const guildId = newGuildId()
    yield* Effect.flatMap(Tenancy, (tenancy) =>
      tenancy.installGuild({ tenantId, guildId, name: "Acme Hall", ownerId: UserId.make(ownerId) }))
    discord.addGuild(guildOf(guildId))
    return guildId
  })

const sellVipThroughPolar = (tenantId: TenantId, guildId: GuildId, roleId = paidRoleId) =>
  Effect.gen(function*() {
    yield* Effect.flatMap(GuildFeatures, (features) => features.enable(tenantId, guildId, "paid-roles", Option.none()))
    yield* Effect.flatMap(PaidRoles, (roles) =>
      roles.put(tenantId, guildId, RoleId.make(roleId), {
        name: "VIP",
        price: { minor: 1000, currency: Currency.make("USD") },
        stripePriceId: null,
        polarProductId,
        sepayPassDays: null,
        graceDays: 3
      }))
    yield* Effect.flatMap(PaymentSetup, (setup) => setup.configurePolar(tenantId, polarSettings))
  })

const metadataFor = (tenantId: TenantId, guildId: GuildId, roleId: string) => ({
  tenant_id: tenantId,
  guild_id: guildId,
  role_id: RoleId.make(roleId),
  user_id: UserId.make(memberId)
})

const databases = await sqlDatabases()

for (const database of databases) {
  /** The runtime over a fresh database, a fresh FakeDiscord and a FakePolar, for one test. */
  const withRuntime = <A, E, R>(
    test: (discord: FakeDiscord, polar: FakePolar) => Effect.Effect<A, E, R>,
    options: { readonly dailyCommandCreates?: number } = {}
  ) =>
    Effect.gen(function*() {
      const discord = yield* FakeDiscord.make({ token: botToken, ...options })
      const polar = yield* FakePolar.make({ tokens: [polarToken], products: [polarProductId] })
      return yield* test(discord, polar).pipe(
        Effect.provide(botRuntime(database.layer(), { discord, polarApiBase: polar.baseUrl }) as Layer.Layer<R>)
      )
    }).pipe(Effect.scoped)

  describe(`the Discord runtime on ${database.name}`, { timeout: 60_000 }, () => {
    it.live("hosted without DISCORD_TOKEN: a tenant's own bot runs, installs the servers it joins under the tenant, and stops when removed", () =>
      Effect.gen(function*() {
        // A white-label bot's token as the Developer Portal shows one: the fake accepts only it.
        const tenantBotToken = "MTAxMDEwMTAxMDEwMTAxMDEw.GabcDe.abcdefghijklmnopqrstuvwxyz0123456789ABCD"
        const discord = yield* FakeDiscord.make({ token: tenantBotToken })
        const outside = { discord, platformBot: false, settings: { GUILDHALL_WHITE_LABEL_POLL: "100 millis" } }
        const guildId = newGuildId()
        discord.addGuild(guildOf(guildId))
        yield* Effect.gen(function*() {
          const tenant = yield* Effect.flatMap(
            Tenancy,
            (tenancy) => tenancy.createTenant({ name: "Own Bot Inc", planKey: PlanKey.make("enterprise") })
          )
          const whiteLabel = yield* WhiteLabel
          yield* whiteLabel.setBot(tenant.id, {
            applicationId: discord.applicationId,
            token: Redacted.make(tenantBotToken)
          })
          const gateway = yield* Scope.make()
          yield* Layer.buildWithScope(
            DiscordGatewayLive("hosted").pipe(Layer.provide(Layer.setConfigProvider(botSettings(outside)))),
            gateway
          )
          // The runner started the tenant's bot: its server is the tenant's and has its commands.
          yield* eventually("the tenant bot's commands", () => discord.commandsOf(guildId).length > 0, "20 seconds")
          const guild = yield* Effect.flatMap(GuildRepo, (guilds) => guilds.findAnyTenant(guildId))
          assert.strictEqual(Option.getOrThrow(guild).tenantId, tenant.id)
          assert.isTrue(discord.sessions().some((session) => session.connected))
          // Readiness sees the poller and the tenant's gateway, up once its ready handler is done (ADR 095).
          const upNow = Effect.map(
            Effect.flatMap(BackgroundComponents, (registry) => registry.report),
            (components) =>
              [`discord gateway (tenant ${tenant.id})`, "white-label poller"].map((name) =>
                components.find((component) => component.name === name)?.status
              )
          )
          const statuses = yield* upNow.pipe(
            Effect.repeat({
              until: (found) => found.every((status) => status === "up"),
              schedule: Schedule.spaced("100 millis")
            }),
            Effect.timeoutOption("10 seconds"),
            Effect.flatMap(() => upNow)
          )
          assert.deepStrictEqual(statuses, ["up", "up"])

          yield* whiteLabel.removeBot(tenant.id)
          yield* eventually(
            "the tenant's bot to disconnect",
            () => !discord.sessions().some((session) => session.connected)
          )
          // A bot stopped on purpose leaves readiness rather than reporting down.
          const after = yield* Effect.flatMap(BackgroundComponents, (registry) => registry.report)
          assert.isFalse(after.some((component) => component.name.startsWith("discord gateway")))
          yield* Scope.close(gateway, Exit.void)
        }).pipe(Effect.provide(botRuntime(database.layer(), outside)))
      }).pipe(Effect.scoped))

    it.live("a guild added through a tenant's invite installs under it with exactly its enabled commands; a restart with nothing changed PUTs nothing", () =>
      withRuntime((discord) =>
        Effect.gen(function*() {
          const installs = yield* GuildInstalls
          const tenant = yield* premiumTenant("Acme")
          const botScope = yield* Scope.make()
          yield* Scope.extend(startBot(discord), botScope)

          // The admin follows the invite link; Discord sends them back with the state, then the bot joins.
          const invite = yield* installs.inviteUrl(tenant.id, {
            applicationId: discord.applicationId,
            permissions: manageRoles,
            redirectUri: "https://guildhall.test/discord/callback"
          })
          const state = new URL(invite.url).searchParams.get("state")!
          const guildId = newGuildId()
          const claimed = yield* installs.claim(state, guildId)
          assert.strictEqual(claimed._tag, "Pending")
          discord.addGuild(guildOf(guildId))

          yield* eventually("the guild's commands", () => discord.commandsOf(guildId).length > 0)
          const guild = yield* Effect.flatMap(GuildRepo, (guilds) => guilds.findAnyTenant(guildId))
          assert.strictEqual(Option.getOrThrow(guild).tenantId, tenant.id)
          // The essential features (setup, billing) are on by default; nothing else is.
          assert.deepStrictEqual(commandNames(discord, guildId), [
            "features",
            "permissions",
            "setup",
            "status",
            "upgrade"
          ])

          // An admin enables xp: its commands are added, and only this guild's set is PUT again.
          const putsBefore = commandPutsTo(discord).length
          yield* Effect.flatMap(GuildFeatures, (features) => features.enable(tenant.id, guildId, "xp", Option.none()))
          yield* eventually("xp's commands", () => commandNames(discord, guildId).includes("rank"))
          assert.deepStrictEqual(
            commandNames(discord, guildId),
            ["features", "leaderboard", "permissions", "rank", "setup", "status", "upgrade", "xp"]
          )
          assert.strictEqual(commandPutsTo(discord).length, putsBefore + 1)

          // Restart: the same guilds and features, so not one command PUT.
          yield* Scope.close(botScope, Exit.void)
          discord.clearRequests()
          yield* startBot(discord)
          assert.strictEqual(commandPutsTo(discord).length, 0)
          assert.deepStrictEqual(
            commandNames(discord, guildId),
            ["features", "leaderboard", "permissions", "rank", "setup", "status", "upgrade", "xp"]
          )
        })
      ))

    it.live("Discord's daily limit on new commands: the guild waits for the reset and /features says so", () =>
      withRuntime((discord) =>
        Effect.gen(function*() {
          const tenant = yield* premiumTenant("Busy Guild Co")
          const guildId = yield* installedGuild(discord, tenant.id)
          yield* startBot(discord)
          // The five essential commands used the day's five creates; xp's three new ones are refused (30034).
          assert.lengthOf(discord.commandsOf(guildId), 5)
          const puts = () => commandPutsTo(discord).length
          const before = puts()
          yield* Effect.flatMap(GuildFeatures, (features) => features.enable(tenant.id, guildId, "xp", Option.none()))
          yield* eventually("the refused PUT", () => puts() > before)
          const listed = yield* Effect.promise(() =>
            discord.interact({ guildId, channelId, userId: ownerId, name: "features", subcommand: "list" })
          )
          assert.include(listed.content, "limit of 200 new commands a day was reached")
          assert.notInclude(commandNames(discord, guildId).join(","), "rank")
          // Blocked until the reset: more changes today are not sent to Discord.
          yield* Effect.flatMap(
            GuildFeatures,
            (features) => features.enable(tenant.id, guildId, "announcements", Option.none())
          )
          yield* Effect.sleep("500 millis")
          assert.strictEqual(puts(), before + 1)
        }), { dailyCommandCreates: 5 }))

    it.live("a command a rule denies answers privately with the remediation; after an admin allows it, it runs", () =>
      withRuntime((discord) =>
        Effect.gen(function*() {
          const tenant = yield* premiumTenant("Rules Inc")
          const guildId = yield* installedGuild(discord, tenant.id)
          yield* startBot(discord)
          const asMember = () => discord.interact({ guildId, channelId, userId: memberId, name: "status" })
          const asOwner = (
            subcommand: "allow" | "deny",
            options: Record<string, string>,
            types: Record<string, number>
          ) =>
            discord.interact({
              guildId,
              channelId,
              userId: ownerId,
              name: "permissions",
              subcommand,
              options: { target: "status", ...options },
              optionTypes: types
            })

          const before = yield* Effect.promise(asMember)
          assert.include(before.content, "Premium plan")

          // Deny /status to everyone (the @everyone role's id is the guild's).
          const denied = yield* Effect.promise(() => asOwner("deny", { role: guildId }, { role: 8 }))
          assert.isTrue(denied.ephemeral, denied.content)
          const refused = yield* Effect.promise(asMember)
          assert.isTrue(refused.ephemeral)
          assert.notInclude(refused.content, "Premium plan")
          const [message, remediation] = refused.content.split("\n-# ")
          assert.isAbove(message!.length, 0)
          assert.include(remediation!, "/permissions")

          // The owner allows it for this member: a user rule is more specific than the role's.
          yield* Effect.promise(() => asOwner("allow", { user: memberId }, { user: 6 }))
          const after = yield* Effect.promise(asMember)
          assert.include(after.content, "Premium plan")
        })
      ))

    it.live("/purchase → Polar checkout → signed webhook → role PUT; leave and rejoin → the role comes back; revoked → DELETE", () =>
      withRuntime((discord, polar) =>
        Effect.gen(function*() {
          const tenant = yield* premiumTenant("Paid Roles Ltd")
          const guildId = yield* installedGuild(discord, tenant.id)
          yield* sellVipThroughPolar(tenant.id, guildId)
          yield* startBot(discord)

          const offer = yield* Effect.promise(() =>
            discord.interact({
              guildId,
              channelId,
              userId: memberId,
              name: "purchase",
              options: { product: "VIP", provider: "polar" }
            })
          )
          assert.isTrue(offer.ephemeral)
          const checkout = polar.requests.find((request) => request.path === "/v1/checkouts/")
          assert.isDefined(checkout)
          const body = checkout!.body as { metadata: Record<string, string> }
          assert.deepStrictEqual(body.metadata, { ...metadataFor(tenant.id, guildId, paidRoleId) })
          assert.include(offer.content, `${polar.baseUrl}/checkout/`)

          // Polar tells us the subscription is active.
          const active = polarSubscriptionEvent("subscription.active", {
            metadata: body.metadata,
            modifiedAfterMinutes: 1
          })
          const answered = yield* postPolar(tenant.id, active, { id: "msg_active" })
          assert.isTrue(answered.status >= 200 && answered.status < 300, `the webhook answered ${answered.status}`)
          const grantMs = yield* eventually("the VIP role", () =>
            discord.rolesOf(guildId, memberId)?.includes(paidRoleId) === true)
          yield* Effect.logInfo(`role granted ${grantMs} ms after the webhook was answered`)
          assert.lengthOf(roleRequests(discord, "PUT", paidRoleId), 1)
          assert.strictEqual(roleRequests(discord, "PUT", paidRoleId)[0]!.auditLogReason !== undefined, true)

          // The member leaves and comes back: Discord forgets the role, we give it back.
          discord.removeMember(guildId, memberId)
          discord.addMember(guildId, memberId)
          assert.deepStrictEqual(discord.rolesOf(guildId, memberId), [])
          yield* eventually("the VIP role again", () =>
            discord.rolesOf(guildId, memberId)?.includes(paidRoleId) === true)

          // Revoked (not merely canceled): the role goes.
          const revoked = polarSubscriptionEvent("subscription.revoked", {
            metadata: body.metadata,
            modifiedAfterMinutes: 2,
            status: "canceled"
          })
          yield* postPolar(tenant.id, revoked, { id: "msg_revoked" })
          yield* eventually("the VIP role's removal", () =>
            discord.rolesOf(guildId, memberId)?.includes(paidRoleId) === false)
          assert.lengthOf(roleRequests(discord, "DELETE", paidRoleId), 1)
        })
      ))

    it.live("a paid role above the bot's: a typed refusal with the admin's hint, never sent to Discord, never retried", () =>
      withRuntime((discord) =>
        Effect.gen(function*() {
          const tenant = yield* premiumTenant("Hierarchy Co")
          const guildId = yield* installedGuild(discord, tenant.id)
          yield* sellVipThroughPolar(tenant.id, guildId, highRoleId)
          yield* startBot(discord)

          const active = polarSubscriptionEvent("subscription.active", {
            metadata: metadataFor(tenant.id, guildId, highRoleId),
            modifiedAfterMinutes: 1
          })
          yield* postPolar(tenant.id, active, { id: "msg_high" })
          const grants = () => jobsOf(tenant.id, "billing.GrantRole", ["dead"])
          let dead: ReadonlyArray<Job> = []
          for (let i = 0; i < 200 && dead.length === 0; i++) {
            dead = yield* grants()
            if (dead.length === 0) yield* Effect.sleep("25 millis")
          }
          assert.lengthOf(dead, 1)
          assert.strictEqual(dead[0]!.attempts, 1)
          assert.include(dead[0]!.lastError!, "move its role above")
          assert.lengthOf(roleRequests(discord, "PUT", highRoleId), 0)
          assert.isFalse(discord.rolesOf(guildId, memberId)!.includes(highRoleId))
        })
      ))
  })
}
