import { assert, describe, it } from "@effect/vitest"
import { DateTime, Duration, Effect, Layer, Option, Redacted, TestClock } from "effect"
import { NodeCrypto } from "../../adapters/crypto/index.js"
import { RepositoriesMemory } from "../../adapters/memory/index.js"
import {
  defaultBotPermissions,
  GuildId,
  type GuildInstallOutcome,
  GuildInstalls,
  GuildRepo,
  type InstallMode,
  InviteSigningKey,
  PlanCatalog,
  PlanKey,
  signInviteState,
  Tenancy,
  type TenantId,
  UserId
} from "../../core/index.js"

const servicesFor = (mode: InstallMode) =>
  GuildInstalls.layer(mode).pipe(
    Layer.provideMerge(
      Layer.merge(Tenancy.layer, InviteSigningKey.layer(Option.some(Redacted.make("invite-key-for-tests"))))
    ),
    Layer.provideMerge(Layer.mergeAll(RepositoriesMemory, NodeCrypto, PlanCatalog.builtin))
  )
const Hosted = servicesFor("hosted")
const SelfHost = servicesFor("self-host")

const owner = UserId.make("223456789012345678")
const guild = (n: number) => GuildId.make(`3000000000000000${String(n).padStart(2, "0")}`)
const joined = (n: number, name = `Guild ${n}`) => ({ guildId: guild(n), name, ownerId: owner })

const link = {
  applicationId: "111111111111111111",
  permissions: defaultBotPermissions,
  redirectUri: "https://g.test/cb"
}

const newTenant = (planKey = "premium") =>
  Effect.flatMap(Tenancy, (tenancy) => tenancy.createTenant({ name: "Acme", planKey: PlanKey.make(planKey) }))

/** The `state` of a fresh invite link for the tenant, as the callback will receive it. */
const stateFor = (tenantId: TenantId) =>
  Effect.flatMap(GuildInstalls, (installs) => installs.inviteUrl(tenantId, link)).pipe(
    Effect.map(({ url }) => new URL(url).searchParams.get("state")!)
  )

const ownerOf = (guildId: GuildId) =>
  Effect.flatMap(GuildRepo, (guilds) => guilds.findAnyTenant(guildId)).pipe(
    Effect.map(Option.filter((row) => row.status === "installed")),
    Effect.map(Option.map((row) => row.tenantId))
  )

const unclaimedIds = Effect.flatMap(GuildInstalls, (installs) => installs.listUnclaimed()).pipe(
  Effect.map((guilds) => guilds.map((g) => g.guildId))
)

const refusalOf = (outcome: GuildInstallOutcome) => {
  assert.strictEqual(outcome._tag, "Refused")
  return outcome._tag === "Refused" ? outcome.refusal : undefined
}

describe("GuildInstalls: invite links", () => {
  it.effect("the link asks Discord for the bot with our permissions, redirect and a state", () =>
    Effect.gen(function*() {
      const tenant = yield* newTenant()
      const { expiresAt, url } = yield* (yield* GuildInstalls).inviteUrl(tenant.id, link)
      const parsed = new URL(url)
      assert.strictEqual(`${parsed.origin}${parsed.pathname}`, "https://discord.com/oauth2/authorize")
      assert.strictEqual(parsed.searchParams.get("client_id"), link.applicationId)
      assert.strictEqual(parsed.searchParams.get("scope"), "bot applications.commands")
      assert.strictEqual(parsed.searchParams.get("permissions"), "268454912")
      assert.strictEqual(parsed.searchParams.get("redirect_uri"), link.redirectUri)
      assert.strictEqual(parsed.searchParams.get("response_type"), "code")
      assert.match(parsed.searchParams.get("state")!, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
      assert.strictEqual(expiresAt.epochMillis, Duration.toMillis("1 hour"))
    }).pipe(Effect.provide(Hosted)))

  it.effect("a link for an unknown tenant is refused", () =>
    Effect.gen(function*() {
      const installs = yield* GuildInstalls
      const error = yield* Effect.flip(installs.inviteUrl("00000000-0000-4000-8000-000000000000" as TenantId, link))
      assert.strictEqual(error._tag, "TenantNotFound")
    }).pipe(Effect.provide(Hosted)))
})

describe("GuildInstalls: a guild joining through an invite", () => {
  it.effect("callback first, then the join: pending, then installed under the tenant", () =>
    Effect.gen(function*() {
      const installs = yield* GuildInstalls
      const tenant = yield* newTenant()
      const pending = yield* installs.claim(yield* stateFor(tenant.id), guild(1))
      assert.strictEqual(pending._tag, "Pending")
      assert.isTrue(Option.isNone(yield* ownerOf(guild(1))))

      const outcome = yield* installs.guildAvailable(joined(1, "Lobby"))
      assert.strictEqual(outcome._tag, "Installed")
      if (outcome._tag === "Installed") assert.strictEqual(outcome.guild.name, "Lobby")
      assert.deepStrictEqual(yield* ownerOf(guild(1)), Option.some(tenant.id))
      assert.deepStrictEqual(yield* unclaimedIds, [])

      // A later GUILD_CREATE (a reconnect) refreshes the installed guild.
      const again = yield* installs.guildAvailable(joined(1, "Lobby 2"))
      assert.strictEqual(again._tag, "Updated")
      if (again._tag === "Updated") assert.strictEqual(again.guild.name, "Lobby 2")
    }).pipe(Effect.provide(Hosted)))

  it.effect("the join first, then the callback: unclaimed, then installed under the tenant", () =>
    Effect.gen(function*() {
      const installs = yield* GuildInstalls
      const tenant = yield* newTenant()
      assert.strictEqual((yield* installs.guildAvailable(joined(2)))._tag, "Unclaimed")
      assert.deepStrictEqual(yield* unclaimedIds, [guild(2)])

      yield* TestClock.adjust("30 seconds")
      const outcome = yield* installs.claim(yield* stateFor(tenant.id), guild(2))
      assert.strictEqual(outcome._tag, "Installed")
      assert.deepStrictEqual(yield* ownerOf(guild(2)), Option.some(tenant.id))
      assert.deepStrictEqual(yield* unclaimedIds, [])
    }).pipe(Effect.provide(Hosted)))

  it.effect("a tampered, foreign, malformed or expired state is refused and claims nothing", () =>
    Effect.gen(function*() {
      const installs = yield* GuildInstalls
      const tenant = yield* newTenant()
      const other = yield* newTenant()
      const state = yield* stateFor(tenant.id)
      const [payload, signature] = state.split(".") as [string, string]

      // Swap in another tenant's payload under this signature.
      const otherPayload = (yield* stateFor(other.id)).split(".")[0]!
      const swapped = yield* Effect.flip(installs.claim(`${otherPayload}.${signature}`, guild(3)))
      assert.strictEqual(swapped.reason, "bad_signature")
      const flipped = `${payload}.${signature.slice(0, -1)}${signature.endsWith("A") ? "B" : "A"}`
      assert.strictEqual((yield* Effect.flip(installs.claim(flipped, guild(3)))).reason, "bad_signature")
      assert.strictEqual((yield* Effect.flip(installs.claim("not-a-state", guild(3)))).reason, "malformed")

      const foreign = yield* signInviteState(tenant.id, yield* DateTime.now, Redacted.make("another-platform"))
      assert.strictEqual((yield* Effect.flip(installs.claim(foreign.state, guild(3)))).reason, "bad_signature")

      yield* TestClock.adjust("61 minutes")
      const expired = yield* Effect.flip(installs.claim(state, guild(3)))
      assert.strictEqual(expired.reason, "expired")
      assert.match(expired.message, /expired/)

      assert.strictEqual((yield* installs.guildAvailable(joined(3)))._tag, "Unclaimed")
      assert.isTrue(Option.isNone(yield* ownerOf(guild(3))))
    }).pipe(Effect.provide(Hosted)))

  it.effect("a claim only takes a guild that joined around the same time", () =>
    Effect.gen(function*() {
      const installs = yield* GuildInstalls
      const tenant = yield* newTenant()
      // Joined long before the callback: someone else may have added the bot; the operator decides.
      yield* installs.guildAvailable(joined(4))
      yield* TestClock.adjust("11 minutes")
      const late = refusalOf(yield* installs.claim(yield* stateFor(tenant.id), guild(4)))
      assert.strictEqual(late?._tag, "ClaimTooLate")
      assert.match(late?.remediation ?? "", /POST \/discord\/unclaimed\/300000000000000004\/claim/)
      assert.isTrue(Option.isNone(yield* ownerOf(guild(4))))

      // A callback whose guild never joins: the claim lapses.
      assert.strictEqual((yield* installs.claim(yield* stateFor(tenant.id), guild(5)))._tag, "Pending")
      yield* TestClock.adjust("11 minutes")
      assert.strictEqual((yield* installs.guildAvailable(joined(5)))._tag, "Unclaimed")
    }).pipe(Effect.provide(Hosted)))
})

describe("GuildInstalls: unclaimed guilds and the operator", () => {
  it.effect("a join without an invite waits unclaimed; the operator's claim installs it", () =>
    Effect.gen(function*() {
      const installs = yield* GuildInstalls
      const tenant = yield* newTenant()
      assert.strictEqual((yield* installs.guildAvailable(joined(6, "Orphan")))._tag, "Unclaimed")
      assert.strictEqual((yield* installs.guildAvailable(joined(6, "Orphan")))._tag, "Unclaimed")
      const [listed] = yield* installs.listUnclaimed()
      assert.strictEqual(listed?.name, "Orphan")

      const outcome = yield* installs.claimByOperator(guild(6), tenant.id)
      assert.strictEqual(outcome._tag, "Installed")
      assert.deepStrictEqual(yield* ownerOf(guild(6)), Option.some(tenant.id))
      assert.deepStrictEqual(yield* unclaimedIds, [])

      const unknown = yield* Effect.flip(installs.claimByOperator(guild(7), tenant.id))
      assert.strictEqual(unknown._tag, "UnclaimedGuildNotFound")
    }).pipe(Effect.provide(Hosted)))

  it.effect("the plan's guild limit refuses the install with its message; the guild stays unclaimed", () =>
    Effect.gen(function*() {
      const installs = yield* GuildInstalls
      const tenant = yield* newTenant("free")
      assert.strictEqual((yield* installs.claim(yield* stateFor(tenant.id), guild(8)))._tag, "Pending")
      assert.strictEqual((yield* installs.guildAvailable(joined(8)))._tag, "Installed")

      yield* installs.guildAvailable(joined(9))
      const refusal = refusalOf(yield* installs.claim(yield* stateFor(tenant.id), guild(9)))
      assert.strictEqual(refusal?._tag, "GuildLimitReached")
      assert.match(refusal?.message ?? "", /'free' plan allows 1 installed guild/)
      assert.match(refusal?.remediation ?? "", /Upgrade/)
      assert.isTrue(Option.isNone(yield* ownerOf(guild(9))))
      assert.deepStrictEqual(yield* unclaimedIds, [guild(9)])
    }).pipe(Effect.provide(Hosted)))

  it.effect("a guild another tenant has installed is refused to a claimant", () =>
    Effect.gen(function*() {
      const installs = yield* GuildInstalls
      const first = yield* newTenant()
      const second = yield* newTenant()
      yield* installs.claim(yield* stateFor(first.id), guild(10))
      yield* installs.guildAvailable(joined(10))
      const refusal = refusalOf(yield* installs.claim(yield* stateFor(second.id), guild(10)))
      assert.strictEqual(refusal?._tag, "GuildOwnedByAnotherTenant")
      assert.deepStrictEqual(yield* ownerOf(guild(10)), Option.some(first.id))
    }).pipe(Effect.provide(Hosted)))
})

describe("GuildInstalls: self-host and removal", () => {
  it.effect("self-host installs every guild under its single tenant, no invite needed", () =>
    Effect.gen(function*() {
      const installs = yield* GuildInstalls
      const tenant = yield* newTenant("enterprise")
      assert.strictEqual((yield* installs.guildAvailable(joined(11)))._tag, "Installed")
      assert.strictEqual((yield* installs.guildAvailable(joined(12)))._tag, "Installed")
      assert.deepStrictEqual(yield* ownerOf(guild(11)), Option.some(tenant.id))
      assert.deepStrictEqual(yield* ownerOf(guild(12)), Option.some(tenant.id))
      assert.deepStrictEqual(yield* unclaimedIds, [])
    }).pipe(Effect.provide(SelfHost)))

  it.effect("a guild delete removes the guild from its tenant; a guild nobody has is ignored", () =>
    Effect.gen(function*() {
      const installs = yield* GuildInstalls
      const tenant = yield* newTenant()
      yield* installs.claim(yield* stateFor(tenant.id), guild(13))
      yield* installs.guildAvailable(joined(13))
      assert.deepStrictEqual(yield* installs.guildRemoved(guild(13)), {
        _tag: "Removed",
        tenantId: tenant.id,
        guildId: guild(13)
      })
      assert.isTrue(Option.isNone(yield* ownerOf(guild(13))))
      assert.strictEqual((yield* installs.guildRemoved(guild(13)))._tag, "Unknown")

      yield* installs.guildAvailable(joined(14))
      assert.strictEqual((yield* installs.guildRemoved(guild(14)))._tag, "Unknown")
      assert.deepStrictEqual(yield* unclaimedIds, [])

      // Added back through a new invite: restored with its config.
      yield* installs.claim(yield* stateFor(tenant.id), guild(13))
      assert.strictEqual((yield* installs.guildAvailable(joined(13)))._tag, "Restored")
    }).pipe(Effect.provide(Hosted)))
})

describe("InviteSigningKey", () => {
  it.effect("without GUILDHALL_INVITE_SECRET the first replica's generated key is the one every replica uses", () =>
    Effect.gen(function*() {
      const generated = InviteSigningKey.layer(Option.none())
      const keyOf = Effect.provide(InviteSigningKey, generated)
      const first = yield* keyOf
      const second = yield* keyOf
      assert.strictEqual(Redacted.value(first), Redacted.value(second))
      assert.isAtLeast(Redacted.value(first).length, 40)
      const configured = yield* Effect.provide(
        InviteSigningKey,
        InviteSigningKey.layer(Option.some(Redacted.make("configured")))
      )
      assert.strictEqual(Redacted.value(configured), "configured")
    }).pipe(Effect.provide(Layer.merge(RepositoriesMemory, NodeCrypto))))
})
