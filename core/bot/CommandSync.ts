import { Context, DateTime, Effect, Either, Fiber, Layer, Option, Schema, type Scope, Stream } from "effect"
import { supervisedLoop } from "../background/supervisedLoop.js"
import { FeatureRegistry } from "../features/FeatureRegistry.js"
import { PolicyCache } from "../guardrail/PolicyCache.js"
import { GuildId, type TenantId } from "../ids.js"
import { JobFailed } from "../jobs/JobFailed.js"
import { JobKind } from "../jobs/JobKind.js"
import { CommandSyncRepo, type CommandSyncState } from "../ports/CommandSyncRepo.js"
import { Crypto } from "../ports/Crypto.js"
import { ApplicationId, DiscordCommands } from "../ports/DiscordCommands.js"
import { Jobs } from "../ports/Jobs.js"
import { allGuilds, type PolicyChange, PolicyStore } from "../ports/PolicyStore.js"
import {
  accepted,
  type CommandSyncStatus,
  countsOf,
  type GuildSyncResult,
  neverSynced,
  planSync,
  refusal,
  statusOf,
  type SyncCounts
} from "./commandSyncPlan.js"
import { commandSetHash, desiredCommands } from "./DiscordCommandJson.js"

/**
 * Keeps each guild's slash commands at Discord equal to what its plan and
 * toggles allow, with as few PUTs as possible: the hash of the set Discord
 * last accepted is stored per guild, and a guild whose desired set hashes the
 * same is left alone (a restart with nothing changed makes no PUT). Discord's
 * daily create limit (30034) blocks a guild until its reset; a job retries then.
 */

export interface SyncGuildOptions {
  /**
   * PUT even when the stored hash matches: for a guild the bot (re)joined,
   * where Discord may have dropped the commands while the bot was away.
   */
  readonly force?: boolean
  /**
   * The commands.sync job syncs: a transient refusal is left to the job's
   * own retry (the outbox backs off) instead of enqueuing another job.
   */
  readonly byJob?: boolean
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

/** How long `watch` lets its fiber run to subscribe before returning. */
const subscribeYields = 100

type StoredState = (tenantId: TenantId, guildId: GuildId) => Effect.Effect<Option.Option<CommandSyncState>>

const make = Effect.gen(function*() {
  const cache = yield* PolicyCache
  const registry = yield* FeatureRegistry
  const crypto = yield* Crypto
  const repo = yield* CommandSyncRepo
  const discord = yield* DiscordCommands
  const jobs = yield* Jobs
  const store = yield* PolicyStore

  const syncJob = (tenantId: TenantId, applicationId: ApplicationId, guildId: GuildId, runAt: DateTime.Utc) =>
    commandSyncKind.spec({
      tenantId,
      payload: { applicationId, guildId },
      runAt,
      // One retry per guild and moment: a second refusal until the same reset does not add another.
      idempotencyKey: `${commandSyncKind.kind}:${applicationId}:${guildId}:${DateTime.formatIso(runAt)}`
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
      const state = Option.getOrElse(yield* stored(tenantId, guildId), () =>
        neverSynced(tenantId, guildId, applicationId))
      const now = yield* DateTime.now
      const plan = planSync(state, hash, now, options.force === true)
      if (plan._tag === "unchanged") {
        if (plan.cleared !== null) {
          yield* repo.save(plan.cleared)
        }
        return { _tag: "unchanged", tenantId } as const
      }
      if (plan._tag === "blocked") {
        return { _tag: "blocked", tenantId, until: plan.until, refusedNow: false } as const
      }
      // A shutdown does not cut between Discord taking the set and our record of it (the next boot would PUT again).
      const put = yield* Effect.uninterruptible(
        Effect.tap(
          Effect.either(discord.overwriteGuildCommands(applicationId, guildId, desired)),
          (put) =>
            Either.isRight(put) ? repo.save(accepted(state, hash, now)) : Effect.void
        )
      )
      if (Either.isRight(put)) {
        yield* Effect.logDebug(`commands: ${desired.length} command(s) registered`)
        return { _tag: "put", tenantId, hash, commandCount: desired.length } as const
      }
      const error = put.left
      const refused = refusal(state, error, now)
      yield* repo.save(refused.state)
      if (refused._tag === "blocked") {
        yield* jobs.enqueue([syncJob(tenantId, applicationId, guildId, refused.until)])
        yield* Effect.logWarning(
          `commands: Discord allows 200 new commands per server per day; the bot's commands in ${guildId} ` +
            `will update after ${DateTime.formatIso(refused.until)}`
        )
        return { _tag: "blocked", tenantId, until: refused.until, refusedNow: true } as const
      }
      yield* Effect.logWarning(`commands: ${error.message}; ${error.remediation}`)
      // A job's own failure is retried by the outbox with backoff; a direct caller leaves the retry to a job.
      if (refused.retryAt !== null && options.byJob !== true) {
        yield* jobs.enqueue([syncJob(tenantId, applicationId, guildId, refused.retryAt)])
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
    syncWith(guildId, applicationId, fromRepoFor(applicationId), options)

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
        (guildId) => guarded(guildId, syncWith(guildId, applicationId, stored)),
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
    Effect.flatMap(
      repo.get(tenantId, guildId, applicationId),
      (state) => Effect.map(DateTime.now, (now) => Option.map(state, (found) => statusOf(found, now)))
    )

  return { syncGuild, syncAll, watch, status } satisfies CommandSyncService
})

export class CommandSync extends Context.Tag("core/CommandSync")<CommandSync, CommandSyncService>() {
  static readonly layer = Layer.effect(CommandSync, make)
}

/**
 * A guild's sync retried after Discord's daily limit or a transient refusal:
 * a transient refusal fails the job (the outbox backs off), the others are
 * recorded and done.
 */
export const commandSyncKind = JobKind.make({
  kind: "commands.sync",
  payload: Schema.Struct({ applicationId: ApplicationId, guildId: GuildId }),
  handle: ({ applicationId, guildId }) =>
    Effect.flatMap(CommandSync, (sync) => sync.syncGuild(guildId, applicationId, { byJob: true })).pipe(
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
})
