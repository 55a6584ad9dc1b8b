import { Context, DateTime, Duration, Effect, Either, Fiber, Layer, Option, Schema, type Scope, Stream } from "effect"
import { supervisedLoop } from "../background/supervisedLoop.js"
import { FeatureRegistry } from "../features/FeatureRegistry.js"
import { PolicyCache } from "../guardrail/PolicyCache.js"
import { GuildId, type TenantId } from "../ids.js"
import { JobFailed, type JobHandler } from "../jobs/JobHandlers.js"
import { CommandSyncRepo, CommandSyncState } from "../ports/CommandSyncRepo.js"
import { Crypto } from "../ports/Crypto.js"
import { ApplicationId, DiscordCommands, type DiscordCommandsError, nextDailyReset } from "../ports/DiscordCommands.js"
import { Jobs, type JobSpec } from "../ports/Jobs.js"
import { allGuilds, type PolicyChange, PolicyStore } from "../ports/PolicyStore.js"
import { commandSetHash, desiredCommands } from "./DiscordCommandJson.js"

/**
 * Keeps each guild's slash commands at Discord equal to what its plan and
 * toggles allow, with as few PUTs as possible: the hash of the set Discord
 * last accepted is stored per guild, and a guild whose desired set hashes the
 * same is left alone (a restart with nothing changed makes no PUT). Discord's
 * daily create limit (30034) blocks a guild until its reset; a job retries then.
 */

export const commandSyncJobKind = "commands.sync"

/** What one guild's sync did. */
export type GuildSyncResult =
  /** Discord accepted the guild's new set. */
  | { readonly _tag: "put"; readonly tenantId: TenantId; readonly hash: string; readonly commandCount: number }
  /** Discord already has the desired set: no call made. */
  | { readonly _tag: "unchanged"; readonly tenantId: TenantId }
  /**
   * The daily create limit blocks the guild until `until` (a job syncs it then). `refusedNow`: this sync's
   * PUT was refused; otherwise no call was made.
   */
  | {
    readonly _tag: "blocked"
    readonly tenantId: TenantId
    readonly until: DateTime.Utc
    readonly refusedNow: boolean
  }
  /** No tenant has the guild installed: nothing to register. */
  | { readonly _tag: "not_installed" }
  /** Discord refused for another reason (recorded as the guild's lastError; transient ones are retried by a job). */
  | { readonly _tag: "failed"; readonly tenantId: TenantId; readonly error: DiscordCommandsError }

export interface SyncCounts {
  readonly put: number
  readonly unchanged: number
  readonly blocked: number
  readonly failed: number
  readonly notInstalled: number
}

export interface SyncGuildOptions {
  /**
   * PUT even when the stored hash matches: for a guild the bot (re)joined,
   * where Discord may have dropped the commands while the bot was away.
   */
  readonly force?: boolean
}

/** What an admin sees of a guild's commands at Discord (/status). */
export interface CommandSyncStatus {
  /** When Discord last accepted the set; null: never. */
  readonly syncedAt: DateTime.Utc | null
  /** Until when the daily limit blocks updates; null: not blocked (or the block has passed). */
  readonly blockedUntil: DateTime.Utc | null
  readonly lastError: CommandSyncState["lastError"]
}

export interface CommandSyncService {
  /** Brings one guild's commands in line; never fails (Discord's refusals are results). */
  readonly syncGuild: (
    guildId: GuildId,
    applicationId: ApplicationId,
    options?: SyncGuildOptions
  ) => Effect.Effect<GuildSyncResult>
  /** Every guild at boot, `concurrency` at a time (default 8), reading the stored hashes in one query. */
  readonly syncAll: (
    guildIds: ReadonlyArray<GuildId>,
    applicationId: ApplicationId,
    options?: { readonly concurrency?: number }
  ) => Effect.Effect<SyncCounts>
  /**
   * For the scope's lifetime, re-syncs guilds whose policy changed
   * (PolicyStore.changes); `allGuilds` re-syncs every guild `knownGuilds` names.
   */
  readonly watch: (
    applicationId: ApplicationId,
    knownGuilds: Effect.Effect<ReadonlyArray<GuildId>>
  ) => Effect.Effect<void, never, Scope.Scope>
  /** The guild's sync state for admins; None: never synced. */
  readonly status: (
    tenantId: TenantId,
    guildId: GuildId,
    applicationId: ApplicationId
  ) => Effect.Effect<Option.Option<CommandSyncStatus>>
}

const SyncJob = Schema.Struct({ applicationId: ApplicationId, guildId: GuildId })

/** How long `watch` lets its fiber run to subscribe before returning. */
const subscribeYields = 100

/** Wait after a transient refusal that named no delay. */
const defaultRetryDelay = Duration.minutes(1)

type StoredState = (tenantId: TenantId, guildId: GuildId) => Effect.Effect<Option.Option<CommandSyncState>>

/** Who runs the sync: a job lets the outbox retry transient refusals; anyone else enqueues a job for them. */
type Caller = "job" | "direct"

const make = Effect.gen(function*() {
  const cache = yield* PolicyCache
  const registry = yield* FeatureRegistry
  const crypto = yield* Crypto
  const repo = yield* CommandSyncRepo
  const discord = yield* DiscordCommands
  const jobs = yield* Jobs
  const store = yield* PolicyStore

  const syncJob = (
    tenantId: TenantId,
    applicationId: ApplicationId,
    guildId: GuildId,
    runAt: DateTime.Utc
  ): JobSpec => ({
    tenantId,
    kind: commandSyncJobKind,
    payload: { applicationId, guildId },
    runAt,
    // One retry per guild and moment: a second refusal until the same reset does not add another.
    idempotencyKey: `${commandSyncJobKind}:${applicationId}:${guildId}:${DateTime.formatIso(runAt)}`
  })

  /**
   * One sync per guild and application at a time in this process: a join's
   * sync and the install's policy change would otherwise both read the old
   * hash and both PUT.
   */
  const locks = new Map<string, Effect.Semaphore>()
  const oneAtATime =
    (guildId: GuildId, applicationId: ApplicationId) => <A>(effect: Effect.Effect<A>): Effect.Effect<A> =>
      Effect.suspend(() => {
        const key = `${applicationId}/${guildId}`
        let lock = locks.get(key)
        if (lock === undefined) {
          lock = Effect.unsafeMakeSemaphore(1)
          locks.set(key, lock)
        }
        return lock.withPermits(1)(effect)
      })

  const syncWith = (
    guildId: GuildId,
    applicationId: ApplicationId,
    stored: StoredState,
    caller: Caller,
    options: SyncGuildOptions = {}
  ): Effect.Effect<GuildSyncResult> =>
    Effect.gen(function*() {
      // A change's caller may get here before PolicyCache's own feed drops the old snapshot: read a fresh one.
      yield* cache.invalidate(guildId)
      const snapshot = yield* cache.get(guildId)
      if (Option.isNone(snapshot)) return { _tag: "not_installed" } as const
      const { tenantId } = snapshot.value
      const desired = desiredCommands(registry, snapshot.value)
      const hash = commandSetHash(desired, crypto)
      const previous = yield* stored(tenantId, guildId)
      const state = Option.getOrElse(previous, () =>
        CommandSyncState.make({
          tenantId,
          guildId,
          applicationId,
          hash: null,
          syncedAt: null,
          blockedUntil: null,
          lastError: null
        }))
      if (state.hash === hash && options.force !== true) {
        // Discord has this set (a change was undone while blocked): an earlier refusal no longer applies.
        if (state.lastError !== null || state.blockedUntil !== null) {
          yield* repo.save(CommandSyncState.make({ ...state, blockedUntil: null, lastError: null }))
        }
        return { _tag: "unchanged", tenantId } as const
      }
      const now = yield* DateTime.now
      if (state.blockedUntil !== null && DateTime.lessThan(now, state.blockedUntil)) {
        return { _tag: "blocked", tenantId, until: state.blockedUntil, refusedNow: false } as const
      }
      // A shutdown does not cut between Discord taking the set and our record of it (the next boot would PUT again).
      const put = yield* Effect.uninterruptible(
        Effect.tap(
          Effect.either(discord.overwriteGuildCommands(applicationId, guildId, desired)),
          (put) =>
            Either.isRight(put)
              ? repo.save(CommandSyncState.make({ ...state, hash, syncedAt: now, blockedUntil: null, lastError: null }))
              : Effect.void
        )
      )
      if (Either.isRight(put)) {
        yield* Effect.logDebug(`commands: ${desired.length} command(s) registered`)
        return { _tag: "put", tenantId, hash, commandCount: desired.length } as const
      }
      const error = put.left
      const lastError = { reason: error.reason, message: error.message, remediation: error.remediation, at: now }
      if (error.reason === "daily_limit") {
        const until = error.retryAt ?? nextDailyReset(now)
        yield* repo.save(CommandSyncState.make({ ...state, blockedUntil: until, lastError }))
        yield* jobs.enqueue([syncJob(tenantId, applicationId, guildId, until)])
        yield* Effect.logWarning(
          `commands: Discord allows 200 new commands per server per day; the bot's commands in ${guildId} ` +
            `will update after ${DateTime.formatIso(until)}`
        )
        return { _tag: "blocked", tenantId, until, refusedNow: true } as const
      }
      yield* repo.save(CommandSyncState.make({ ...state, blockedUntil: null, lastError }))
      yield* Effect.logWarning(`commands: ${error.message}; ${error.remediation}`)
      // A job's own failure is retried by the outbox with backoff; a direct caller leaves the retry to a job.
      if (error.retryable && caller === "direct") {
        const delay = error.retryAfterMs === null
          ? defaultRetryDelay
          : Duration.millis(Math.max(error.retryAfterMs, 1_000))
        yield* jobs.enqueue([syncJob(tenantId, applicationId, guildId, DateTime.addDuration(now, delay))])
      }
      return { _tag: "failed", tenantId, error } as const
    }).pipe(
      oneAtATime(guildId, applicationId),
      Effect.annotateLogs({ guildId, applicationId }),
      Effect.withSpan("CommandSync.syncGuild", { attributes: { guildId } })
    )

  const fromRepoFor = (applicationId: ApplicationId): StoredState => (tenantId, guildId) =>
    repo.get(tenantId, guildId, applicationId)

  const syncGuild = (guildId: GuildId, applicationId: ApplicationId, options?: SyncGuildOptions) =>
    syncWith(guildId, applicationId, fromRepoFor(applicationId), "direct", options)

  const countsOf = (results: ReadonlyArray<GuildSyncResult["_tag"] | "defect">): SyncCounts => ({
    put: results.filter((tag) => tag === "put").length,
    unchanged: results.filter((tag) => tag === "unchanged").length,
    blocked: results.filter((tag) => tag === "blocked").length,
    failed: results.filter((tag) => tag === "failed" || tag === "defect").length,
    notInstalled: results.filter((tag) => tag === "not_installed").length
  })

  /** One guild's defect (a database outage mid-run) is logged and counted; the others go on. */
  const guarded = (guildId: GuildId, sync: Effect.Effect<GuildSyncResult>) =>
    sync.pipe(
      Effect.map((result) => result._tag),
      Effect.catchAllCause((cause) =>
        Effect.as(
          Effect.logError(`commands: sync of guild ${guildId} failed`, cause),
          "defect" as const
        )
      )
    )

  const syncAll = (
    guildIds: ReadonlyArray<GuildId>,
    applicationId: ApplicationId,
    options: { readonly concurrency?: number } = {}
  ) =>
    Effect.gen(function*() {
      const known = new Map(
        (yield* repo.listByApplication(applicationId)).map((state) => [`${state.tenantId}/${state.guildId}`, state])
      )
      const stored: StoredState = (tenantId, guildId) =>
        Effect.succeed(Option.fromNullable(known.get(`${tenantId}/${guildId}`)))
      const results = yield* Effect.forEach(
        // Once each: a second sync of a guild would read the state as it was before the first.
        new Set(guildIds),
        (guildId) => guarded(guildId, syncWith(guildId, applicationId, stored, "direct")),
        { concurrency: options.concurrency ?? 8 }
      )
      const counts = countsOf(results)
      yield* Effect.logInfo("commands: guilds synced").pipe(Effect.annotateLogs({ ...counts }))
      return counts
    }).pipe(Effect.withSpan("CommandSync.syncAll", { attributes: { guilds: guildIds.length } }))

  const resync = (guildId: GuildId, applicationId: ApplicationId) => guarded(guildId, syncGuild(guildId, applicationId))

  const watch = (applicationId: ApplicationId, knownGuilds: Effect.Effect<ReadonlyArray<GuildId>>) =>
    Effect.gen(function*() {
      const handle = (change: PolicyChange) =>
        change === allGuilds
          ? Effect.flatMap(knownGuilds, (guildIds) =>
            Effect.forEach(guildIds, (guildId) =>
              resync(guildId, applicationId), { concurrency: 8, discard: true }))
          : Effect.asVoid(resync(change, applicationId))
      // A feed that breaks is logged and subscribed again after a pause (ADR 095).
      const fiber = yield* supervisedLoop(
        { name: `command sync (application ${applicationId})` },
        () =>
          store.changes.pipe(
            Stream.runForEach(handle),
            Effect.zipRight(Effect.dieMessage("the policy change feed ended"))
          )
      ).pipe(Effect.forkScoped)
      // The feed subscribes before it first waits: once the fiber is suspended, no later change is missed.
      for (let i = 0; i < subscribeYields && (yield* Fiber.status(fiber))._tag !== "Suspended"; i++) {
        yield* Effect.yieldNow()
      }
    })

  const status = (tenantId: TenantId, guildId: GuildId, applicationId: ApplicationId) =>
    Effect.gen(function*() {
      const state = yield* repo.get(tenantId, guildId, applicationId)
      const now = yield* DateTime.now
      return Option.map(state, (found): CommandSyncStatus => ({
        syncedAt: found.syncedAt,
        blockedUntil: found.blockedUntil !== null && DateTime.lessThan(now, found.blockedUntil)
          ? found.blockedUntil
          : null,
        lastError: found.lastError
      }))
    })

  /** The job: a transient refusal fails it (the outbox backs off), the others are recorded and done. */
  const runJob: JobHandler = (job) =>
    Schema.decodeUnknown(SyncJob)(job.payload).pipe(
      Effect.mapError(() =>
        JobFailed.permanent(`the ${job.kind} job's payload does not decode; it was not written by this version`)
      ),
      Effect.flatMap(({ applicationId, guildId }) =>
        syncWith(guildId, applicationId, fromRepoFor(applicationId), "job")
      ),
      Effect.flatMap((result) => {
        if (result._tag === "failed" && result.error.retryable) {
          return Effect.fail(JobFailed.retryable(result.error.message, result.error.retryAfterMs))
        }
        // Run before the block ends (clocks differ): try again then. A refusal now has enqueued its own job.
        if (result._tag === "blocked" && !result.refusedNow) {
          return Effect.flatMap(DateTime.now, (now) =>
            Effect.fail(
              JobFailed.retryable(
                "Discord's daily command limit still blocks this server",
                Math.max(DateTime.distance(now, result.until), 1_000)
              )
            ))
        }
        return Effect.void
      })
    )

  return { service: { syncGuild, syncAll, watch, status } satisfies CommandSyncService, runJob }
})

export class CommandSync extends Context.Tag("core/CommandSync")<CommandSync, CommandSyncService>() {
  static readonly layer = Layer.effect(CommandSync, Effect.map(make, ({ service }) => service))
}

/**
 * The "commands.sync" job (a retry after Discord's daily limit or a transient
 * refusal), like paymentJobHandlers. The service keeps no state, so this
 * builds its own over the same ports.
 */
export const commandSyncJobHandlers = Effect.map(
  make,
  ({ runJob }) => new Map<string, JobHandler>([[commandSyncJobKind, runJob]])
)
