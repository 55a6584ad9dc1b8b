import { assert, layer } from "@effect/vitest"
import { DateTime, Effect, Option, TestClock } from "effect"
import { DiscordCommandsMemoryControl } from "../../adapters/memory/index.js"
import {
  announcementsFeature,
  ApplicationId,
  billingFeature,
  builtinFeatures,
  CommandSync,
  commandSyncKind,
  DiscordCommandsError,
  GuildFeatures,
  GuildId,
  JobHandlers,
  Jobs,
  nextDailyReset,
  PlanKey,
  setupFeature,
  Tenancy,
  TenantRepo,
  UserId,
  xpFeature
} from "../../core/index.js"
import { TestRuntime } from "../../programs/TestRuntime.js"

/** The test runtime has CommandSync over the in-memory Discord commands. */
const SyncLayer = TestRuntime

const applicationId = ApplicationId.make("810000000000000001")
const ownerId = UserId.make("310000000000000001")

const namesOf = (features: ReadonlyArray<{ readonly commands: ReadonlyArray<{ readonly name: string }> }>) =>
  features.flatMap((feature) => feature.commands.map((command) => command.name)).sort()

const essentialNames = namesOf([setupFeature, billingFeature])

let guilds = 0
/** A new tenant on `planKey` with one installed guild and `features` enabled there. */
const guildOn = (planKey: string, features: ReadonlyArray<string> = []) =>
  Effect.gen(function*() {
    const tenancy = yield* Tenancy
    const tenant = yield* tenancy.createTenant({ name: "Acme", planKey: PlanKey.make(planKey) })
    const guildId = GuildId.make(`61${String(++guilds).padStart(16, "0")}`)
    yield* tenancy.installGuild({ tenantId: tenant.id, guildId, name: "Acme Guild", ownerId })
    for (const key of features) yield* (yield* GuildFeatures).enable(tenant.id, guildId, key, Option.none())
    return { tenantId: tenant.id, guildId }
  }).pipe(Effect.orDie)

const putsFor = (guildId: GuildId) =>
  Effect.flatMap(DiscordCommandsMemoryControl, (control) => control.putsFor(guildId))

/** The names in the guild's latest accepted PUT. */
const registeredNames = (guildId: GuildId) =>
  Effect.flatMap(DiscordCommandsMemoryControl, (control) =>
    Effect.map(
      control.commands(applicationId, guildId),
      Option.map((commands) => commands.map((command) => command.name))
    ))

/** Lets the watch's fiber run until `condition` holds (or fails the test). */
const eventually = <R>(condition: Effect.Effect<boolean, never, R>, what: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 2_000; i++) {
      if (yield* condition) return
      yield* Effect.yieldNow()
    }
    assert.fail(`never happened: ${what}`)
  })

const pendingSyncJobs = Effect.flatMap(
  Jobs,
  (jobs) => jobs.list({ status: "pending", kind: commandSyncKind.kind, limit: 1_000 })
)

layer(SyncLayer)("CommandSync over memory", (it) => {
  it.effect("the first sync PUTs the essential commands and those of features both in the plan and enabled", () =>
    Effect.gen(function*() {
      const sync = yield* CommandSync
      const { guildId, tenantId } = yield* guildOn("basic", ["xp"])
      const result = yield* sync.syncGuild(guildId, applicationId)
      assert.strictEqual(result._tag, "put")
      const puts = yield* putsFor(guildId)
      assert.strictEqual(puts.length, 1)
      // announcements is in the basic plan but not enabled; paid roles are enabled nowhere and not in the plan.
      assert.deepStrictEqual(
        puts[0]!.commands.map((command) => command.name),
        namesOf([setupFeature, billingFeature, xpFeature])
      )
      const setup = puts[0]!.commands.find((command) => command.name === "setup")!
      assert.deepStrictEqual(
        { type: setup.type, contexts: setup.contexts, dm_permission: setup.dm_permission },
        { type: 1, contexts: [0], dm_permission: false }
      )
      const status = Option.getOrThrow(yield* sync.status(tenantId, guildId, applicationId))
      assert.deepStrictEqual(status, { syncedAt: yield* DateTime.now, blockedUntil: null, lastError: null })
    }))

  it.effect("an enterprise guild with every feature enabled gets no /stats: nothing is registered before the bot answers it", () =>
    Effect.gen(function*() {
      const sync = yield* CommandSync
      const optional = builtinFeatures.filter((feature) => feature.access !== "essential").map((feature) => feature.key)
      const { guildId } = yield* guildOn("enterprise", optional)
      yield* sync.syncGuild(guildId, applicationId)
      const names = Option.getOrThrow(yield* registeredNames(guildId))
      assert.notInclude(names, "stats")
      assert.deepStrictEqual(names, namesOf(builtinFeatures))
    }))

  it.effect("a sync with nothing changed makes no PUT, and a restart's syncAll makes none either", () =>
    Effect.gen(function*() {
      const sync = yield* CommandSync
      const control = yield* DiscordCommandsMemoryControl
      const first = yield* guildOn("basic", ["xp"])
      const second = yield* guildOn("free")
      const gone = GuildId.make("619999999999999999")
      const guildIds = [first.guildId, second.guildId, gone]

      const cold = yield* sync.syncAll(guildIds, applicationId)
      assert.deepStrictEqual(cold, { put: 2, unchanged: 0, blocked: 0, failed: 0, notInstalled: 1 })
      const attempts = yield* control.attempts

      assert.strictEqual((yield* sync.syncGuild(first.guildId, applicationId))._tag, "unchanged")
      const warm = yield* sync.syncAll(guildIds, applicationId)
      assert.deepStrictEqual(warm, { put: 0, unchanged: 2, blocked: 0, failed: 0, notInstalled: 1 })
      assert.strictEqual(yield* control.attempts, attempts)
      assert.deepStrictEqual(yield* registeredNames(second.guildId), Option.some(essentialNames))
    }))

  it.effect("force PUTs an unchanged set (a guild the bot rejoined)", () =>
    Effect.gen(function*() {
      const sync = yield* CommandSync
      const { guildId } = yield* guildOn("free")
      yield* sync.syncGuild(guildId, applicationId)
      assert.strictEqual((yield* sync.syncGuild(guildId, applicationId, { force: true }))._tag, "put")
      assert.strictEqual((yield* putsFor(guildId)).length, 2)
    }))

  it.effect("watching: enabling a feature makes exactly one PUT, for that guild only; a change that leaves the set alone makes none", () =>
    Effect.gen(function*() {
      const sync = yield* CommandSync
      const features = yield* GuildFeatures
      const control = yield* DiscordCommandsMemoryControl
      const changed = yield* guildOn("basic", ["xp"])
      const bystander = yield* guildOn("basic")
      yield* sync.syncAll([changed.guildId, bystander.guildId], applicationId)
      yield* sync.watch(applicationId, Effect.succeed([changed.guildId, bystander.guildId]))
      const before = (yield* control.puts).length

      yield* features.enable(changed.tenantId, changed.guildId, "announcements", Option.none())
      yield* eventually(Effect.map(putsFor(changed.guildId), (puts) => puts.length === 2), "the changed guild's PUT")
      assert.deepStrictEqual(
        yield* registeredNames(changed.guildId),
        Option.some(namesOf([setupFeature, billingFeature, xpFeature, announcementsFeature]))
      )

      // Enabling it again changes the policy (its config is stored again) but not the set.
      yield* features.enable(changed.tenantId, changed.guildId, "announcements", Option.none())
      // The feed is handled in order: once the bystander's change is synced, the one before it was too.
      yield* features.enable(bystander.tenantId, bystander.guildId, "xp", Option.none())
      yield* eventually(Effect.map(putsFor(bystander.guildId), (puts) => puts.length === 2), "the bystander's PUT")
      assert.strictEqual((yield* putsFor(changed.guildId)).length, 2)
      assert.strictEqual((yield* control.puts).length, before + 2)
    }).pipe(Effect.scoped))

  it.effect("a downgrade takes /xp away though xp stays enabled: the plan no longer includes it", () =>
    Effect.gen(function*() {
      const sync = yield* CommandSync
      const { guildId, tenantId } = yield* guildOn("basic", ["xp"])
      yield* sync.watch(applicationId, Effect.succeed([guildId]))
      yield* sync.syncGuild(guildId, applicationId)
      assert.includeMembers(Option.getOrThrow(yield* registeredNames(guildId)), namesOf([xpFeature]))

      yield* (yield* TenantRepo).update(tenantId, { planKey: PlanKey.make("free") })
      yield* eventually(Effect.map(putsFor(guildId), (puts) => puts.length === 2), "the downgrade's PUT")
      assert.deepStrictEqual(yield* registeredNames(guildId), Option.some(essentialNames))
      const xp = (yield* (yield* GuildFeatures).list(tenantId, guildId)).find((view) => view.key === "xp")!
      assert.deepStrictEqual({ enabled: xp.enabled, inPlan: xp.inPlan }, { enabled: true, inPlan: false })
    }).pipe(Effect.scoped))

  it.effect("a retired tenant (offboarded) has every command removed, the essential ones too; a cancel brings them back", () =>
    Effect.gen(function*() {
      const sync = yield* CommandSync
      const { guildId, tenantId } = yield* guildOn("basic", ["xp"])
      yield* sync.watch(applicationId, Effect.succeed([guildId]))
      yield* sync.syncGuild(guildId, applicationId)
      yield* (yield* TenantRepo).update(tenantId, { status: "retired" })
      yield* eventually(Effect.map(putsFor(guildId), (puts) => puts.length === 2), "the retire's PUT")
      assert.deepStrictEqual(yield* registeredNames(guildId), Option.some([]))
      yield* (yield* TenantRepo).update(tenantId, { status: "active" })
      yield* eventually(Effect.map(putsFor(guildId), (puts) => puts.length === 3), "the reinstatement's PUT")
      assert.includeMembers(Option.getOrThrow(yield* registeredNames(guildId)), [
        ...essentialNames,
        ...namesOf([xpFeature])
      ])
    }).pipe(Effect.scoped))

  it.effect("Discord's daily limit blocks the guild until the reset: no PUT before it, a job PUTs after it", () =>
    Effect.gen(function*() {
      const sync = yield* CommandSync
      const control = yield* DiscordCommandsMemoryControl
      const handlers = yield* JobHandlers
      const { guildId, tenantId } = yield* guildOn("basic")
      yield* sync.syncGuild(guildId, applicationId)
      yield* (yield* GuildFeatures).enable(tenantId, guildId, "xp", Option.none())

      const now = yield* DateTime.now
      const reset = nextDailyReset(now)
      yield* control.failNext(DiscordCommandsError.dailyLimit(reset))
      const refused = yield* sync.syncGuild(guildId, applicationId)
      assert.deepStrictEqual(refused, { _tag: "blocked", tenantId, until: reset, refusedNow: true })
      const status = Option.getOrThrow(yield* sync.status(tenantId, guildId, applicationId))
      assert.deepStrictEqual(status.blockedUntil, reset)
      assert.strictEqual(status.lastError?.reason, "daily_limit")
      assert.include(status.lastError!.remediation, DateTime.formatIso(reset))

      // Before the reset: blocked without asking Discord.
      const attempts = yield* control.attempts
      yield* TestClock.adjust("1 hour")
      assert.deepStrictEqual(yield* sync.syncGuild(guildId, applicationId), {
        _tag: "blocked",
        tenantId,
        until: reset,
        refusedNow: false
      })
      assert.strictEqual(yield* control.attempts, attempts)

      // One retry job at the reset; after it, the job PUTs the new set.
      const jobs = (yield* pendingSyncJobs).filter((job) => job.idempotencyKey.includes(guildId))
      assert.deepStrictEqual(jobs.map((job) => ({ runAt: job.runAt, tenantId: job.tenantId })), [{
        runAt: reset,
        tenantId
      }])
      yield* TestClock.setTime(reset.epochMillis)
      yield* handlers.get(commandSyncKind.kind)!(jobs[0]!)
      assert.strictEqual((yield* putsFor(guildId)).length, 2)
      assert.includeMembers(Option.getOrThrow(yield* registeredNames(guildId)), namesOf([xpFeature]))
      const cleared = Option.getOrThrow(yield* sync.status(tenantId, guildId, applicationId))
      assert.deepStrictEqual({ blockedUntil: cleared.blockedUntil, lastError: cleared.lastError }, {
        blockedUntil: null,
        lastError: null
      })
    }))

  it.effect("a change undone while blocked needs no PUT, and the refusal is no longer reported", () =>
    Effect.gen(function*() {
      const sync = yield* CommandSync
      const control = yield* DiscordCommandsMemoryControl
      const features = yield* GuildFeatures
      const { guildId, tenantId } = yield* guildOn("basic")
      yield* sync.syncGuild(guildId, applicationId)
      yield* features.enable(tenantId, guildId, "xp", Option.none())
      yield* control.failNext(DiscordCommandsError.dailyLimit(nextDailyReset(yield* DateTime.now)))
      assert.strictEqual((yield* sync.syncGuild(guildId, applicationId))._tag, "blocked")

      yield* features.disable(tenantId, guildId, "xp")
      assert.strictEqual((yield* sync.syncGuild(guildId, applicationId))._tag, "unchanged")
      const status = Option.getOrThrow(yield* sync.status(tenantId, guildId, applicationId))
      assert.deepStrictEqual({ blockedUntil: status.blockedUntil, lastError: status.lastError }, {
        blockedUntil: null,
        lastError: null
      })
      assert.strictEqual((yield* putsFor(guildId)).length, 1)
    }))

  it.effect("missing access is recorded for the admin and not retried; a rate limit is retried by a job after its delay", () =>
    Effect.gen(function*() {
      const sync = yield* CommandSync
      const control = yield* DiscordCommandsMemoryControl
      const handlers = yield* JobHandlers
      const { guildId, tenantId } = yield* guildOn("free")
      const jobsOfGuild = Effect.map(
        pendingSyncJobs,
        (jobs) => jobs.filter((job) => job.idempotencyKey.includes(guildId))
      )

      yield* control.failNext(DiscordCommandsError.of("missing_access"))
      const denied = yield* sync.syncGuild(guildId, applicationId)
      assert.strictEqual(denied._tag === "failed" && denied.error.reason, "missing_access")
      const status = Option.getOrThrow(yield* sync.status(tenantId, guildId, applicationId))
      assert.strictEqual(status.lastError?.reason, "missing_access")
      assert.include(status.lastError!.remediation, "applications.commands")
      assert.deepStrictEqual(yield* jobsOfGuild, [])

      yield* control.failNext(DiscordCommandsError.of("rate_limited", 30_000))
      const limited = yield* sync.syncGuild(guildId, applicationId)
      assert.strictEqual(limited._tag === "failed" && limited.error.reason, "rate_limited")
      const [retry] = yield* jobsOfGuild
      assert.deepStrictEqual(retry?.runAt, DateTime.add(yield* DateTime.now, { seconds: 30 }))

      // The job's own transient failure goes back to the outbox (which backs off) and enqueues nothing more.
      yield* control.failNext(DiscordCommandsError.of("unavailable"))
      const failure = yield* Effect.flip(handlers.get(commandSyncKind.kind)!(retry!))
      assert.isTrue(failure.retryable)
      assert.strictEqual((yield* jobsOfGuild).length, 1)
      yield* handlers.get(commandSyncKind.kind)!(retry!)
      assert.deepStrictEqual(yield* registeredNames(guildId), Option.some(essentialNames))
    }))
})
