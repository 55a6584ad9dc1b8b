import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import type { SqlError } from "@effect/sql/SqlError"
import { Clock, Deferred, Duration, Effect, Fiber, Layer, Option, PubSub, Stream } from "effect"
import { JobWakeups, supervisedLoop } from "../../core/index.js"
import { jobsChannelPrefix } from "./JobsSql.js"
import { PgListener } from "./PgListener.js"
import { PgliteClient } from "./PgliteClient.js"

/**
 * JobWakeups over Postgres LISTEN/NOTIFY (server or PGlite), ADR 054.
 * JobsSql.enqueue sends a NOTIFY on the schema's jobs channel in the enqueuing
 * transaction, which Postgres delivers only when that transaction commits,
 * and to every replica: whichever worker is idle wakes and claims.
 *
 * A lost listening connection only loses wake-ups (the workers still poll), so
 * the listener simply starts again after a pause; it has none of the policy
 * listener's probing, which exists because a missed policy change is wrong,
 * not slow.
 */

const restartBackoff = { base: Duration.seconds(1), cap: Duration.seconds(10) } as const
const probeEvery = Duration.millis(100)
const probeAttempts = 50
const probeWithin = Duration.seconds(10)

/** The channel's notifications: PGlite's callback (LISTEN sent through the client), or sql-pg's listening connection. */
const notifications = (channel: string) =>
  Effect.gen(function*() {
    const pglite = yield* Effect.serviceOption(PgliteClient)
    if (Option.isSome(pglite)) {
      const client = pglite.value
      return Stream.asyncPush<string, SqlError>((emit) =>
        Effect.gen(function*() {
          const stop = client.pglite.onNotification((heard, payload) => {
            if (heard === channel) emit.single(payload)
          })
          yield* Effect.addFinalizer(() => Effect.sync(stop))
          yield* client.unsafe(`LISTEN "${channel.replaceAll("\"", "\"\"")}"`)
        })
      )
    }
    // PgServerClient's listener: a connection per session, so a new session never reuses a dead one.
    const listener = yield* Effect.serviceOption(PgListener)
    if (Option.isSome(listener)) return listener.value.listen(channel)
    const server = yield* Effect.serviceOption(PgClient.PgClient)
    if (Option.isSome(server)) return server.value.listen(channel)
    return yield* Effect.dieMessage("JobWakeupsSql listens through PGlite or a Postgres server: provide one")
  })

export const JobWakeupsSql = Layer.scoped(
  JobWakeups,
  Effect.gen(function*() {
    // Only "something is due" matters: a backlog of signals is worth one claim.
    const signals = yield* PubSub.sliding<void>(1)
    const sql = yield* SqlClient.SqlClient
    // The schema the jobs table resolves to, as JobsSql's NOTIFY names it.
    const rows = yield* sql<{ readonly schema: string }>`SELECT current_schema() AS schema`.pipe(Effect.orDie)
    const channel = `${jobsChannelPrefix}${rows[0]!.schema}`
    const firstSession = yield* Deferred.make<void>()
    const heard = yield* notifications(channel)

    /** A NOTIFY of our own sent until it comes back (LISTEN is in place), or the session counts as failed. */
    const probeComesBack = (back: Deferred.Deferred<void>) =>
      sql`SELECT pg_notify(${channel}, 'probe')::text AS notified`.pipe(
        Effect.zipRight(Deferred.await(back).pipe(Effect.timeoutOption(probeEvery))),
        Effect.repeat({ until: Option.isSome, times: probeAttempts }),
        Effect.filterOrFail(Option.isSome, () => new Error("the wake-up listener did not hear its own probe")),
        Effect.timeout(probeWithin)
      )

    // A session ends only when its connection is lost (workers poll meanwhile): logged, and started again
    // (ADR 095). It counts as a success once its probe comes back, and at every wake-up it hears.
    yield* supervisedLoop(
      { name: "job wake-up listener", backoff: restartBackoff },
      (progress) =>
        Effect.gen(function*() {
          const back = yield* Deferred.make<void>()
          const session = yield* heard.pipe(
            Stream.runForEach(() =>
              Deferred.succeed(back, undefined).pipe(
                Effect.zipRight(PubSub.publish(signals, undefined)),
                Effect.zipRight(progress.succeeded("listening"))
              )
            ),
            Effect.zipRight(Effect.dieMessage("the wake-up notifications ended")),
            Effect.forkScoped
          )
          yield* probeComesBack(back)
          yield* Deferred.succeed(firstSession, undefined)
          return yield* Fiber.join(session)
        }).pipe(Effect.scoped)
    ).pipe(
      // It waits on a real connection: wall-clock time even under a test clock.
      Effect.withClock(Clock.make()),
      Effect.forkScoped
    )
    // Ready once the first session heard its probe; if it has not by then, workers poll meanwhile.
    yield* Deferred.await(firstSession).pipe(
      Effect.timeout(probeWithin),
      Effect.catchAll(() => Effect.logWarning("jobs: the wake-up listener is not listening yet; workers poll")),
      Effect.withClock(Clock.make())
    )
    return JobWakeups.of({ subscribe: PubSub.subscribe(signals) })
  })
)
