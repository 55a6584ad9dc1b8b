import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { SqlError } from "@effect/sql/SqlError"
import { Clock, Deferred, Duration, Effect, Option, PubSub, Schema, type Scope, Stream } from "effect"
import { randomUUID } from "node:crypto"
import { allGuilds, GuildId, type PolicyChange, type RoundProgress, supervisedLoop } from "../../core/index.js"
import { PgListener } from "./PgListener.js"
import { PgliteClient } from "./PgliteClient.js"
import { policyChannel } from "./policyVersions.js"

/**
 * Hears the policy channel and publishes what changed, for as long as the
 * scope lasts, surviving lost connections.
 *
 * A listening session proves itself end to end: it sends a probe through
 * pg_notify and waits to hear it back, first to know LISTEN is in place
 * (so the store is ready only once no change can be missed), then every
 * `heartbeatEvery`. node-postgres' listening connection fails silently (sql-pg
 * swallows its errors), so a probe that does not come back is the only sign
 * of a dead connection: the session is then restarted on a new connection,
 * and because changes may have been missed meanwhile, it publishes `allGuilds`.
 * As "policy listener" in BackgroundComponents it is down after three missed
 * heartbeats (ADR 095).
 */

export interface PolicyChangeListenerOptions {
  readonly heartbeatEvery?: Duration.DurationInput | undefined
  /** How long a probe may take to come back before the connection counts as lost. */
  readonly probeWithin?: Duration.DurationInput | undefined
}

const resendProbeEvery = Duration.millis(100)
/** The pause before a new session: 1 s doubling to 10 s, jittered, so replicas do not reconnect in step. */
const restartBackoff = { base: Duration.seconds(1), cap: Duration.seconds(10) } as const
const probePrefix = "~probe:"
const isGuildId = Schema.is(GuildId)

class ProbeLost extends Schema.TaggedError<ProbeLost>()("ProbeLost", { message: Schema.String }) {}

/**
 * The raw payloads of the policy channel. PGlite: its notification callback,
 * with LISTEN sent through the client so it never lands inside another
 * fiber's transaction (pglite.listen would bypass the client's permit);
 * never UNLISTENed, because other stores on the same PGlite may still listen.
 * Server: sql-pg's `listen`, on a dedicated connection of its own.
 */
const channelPayloads = Effect.gen(function*() {
  const pglite = yield* Effect.serviceOption(PgliteClient)
  if (Option.isSome(pglite)) {
    const client = pglite.value
    return Stream.asyncPush<string, SqlError>((emit) =>
      Effect.gen(function*() {
        const stop = client.pglite.onNotification((channel, payload) => {
          if (channel === policyChannel) emit.single(payload)
        })
        yield* Effect.addFinalizer(() => Effect.sync(stop))
        yield* client.unsafe(`LISTEN ${policyChannel}`)
      })
    )
  }
  // PgServerClient's listener: a connection per session, so a new session never reuses a dead one.
  const listener = yield* Effect.serviceOption(PgListener)
  if (Option.isSome(listener)) return listener.value.listen(policyChannel)
  const server = yield* Effect.serviceOption(PgClient.PgClient)
  if (Option.isSome(server)) return server.value.listen(policyChannel)
  return yield* Effect.dieMessage(
    "PolicyStoreSql listens through PGlite or a Postgres server: provide PgliteClient or PgClient"
  )
})

/** Starts listening in the scope; completes once the first session hears its own probe. */
export const listenForPolicyChanges = (
  published: PubSub.PubSub<PolicyChange>,
  options: PolicyChangeListenerOptions = {}
): Effect.Effect<void, SqlError, SqlClient.SqlClient | Scope.Scope> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const payloads = yield* channelPayloads
    const heartbeatEvery = Duration.decode(options.heartbeatEvery ?? Duration.seconds(15))
    const probeWithin = Duration.decode(options.probeWithin ?? Duration.seconds(5))
    const awaitedProbes = new Map<string, Deferred.Deferred<void>>()
    const firstSession = yield* Deferred.make<void>()

    const heard = (payload: string): Effect.Effect<void> => {
      if (payload === allGuilds || isGuildId(payload)) return PubSub.publish(published, payload)
      const probe = awaitedProbes.get(payload)
      // Other replicas' probes come through too; they are not ours to answer.
      return probe === undefined ? Effect.void : Deferred.succeed(probe, undefined)
    }

    const probeComesBack = Effect.gen(function*() {
      const token = `${probePrefix}${randomUUID()}`
      const back = yield* Deferred.make<void>()
      awaitedProbes.set(token, back)
      yield* sql`SELECT pg_notify(${policyChannel}, ${token})::text AS notified`.pipe(
        Effect.zipRight(Deferred.await(back).pipe(Effect.timeoutOption(resendProbeEvery))),
        Effect.repeat({ until: Option.isSome }),
        Effect.timeoutFail({
          duration: probeWithin,
          onTimeout: () => new ProbeLost({ message: `no probe came back within ${Duration.format(probeWithin)}` })
        }),
        Effect.ensuring(Effect.sync(() => awaitedProbes.delete(token)))
      )
    })

    // A session ends only by failing (its connection is lost, or anything else goes wrong): the loop logs it
    // and starts another after a pause (ADR 095). Each probe heard back is a success for readiness.
    const session = (progress: RoundProgress) =>
      Effect.gen(function*() {
        yield* payloads.pipe(Stream.runForEach(heard), Effect.forkScoped)
        yield* probeComesBack
        yield* progress.succeeded("listening")
        // The first session opens the store; a later one may have missed changes while the connection was down.
        if (!(yield* Deferred.succeed(firstSession, undefined))) yield* PubSub.publish(published, allGuilds)
        return yield* Effect.forever(
          Effect.sleep(heartbeatEvery).pipe(
            Effect.zipRight(probeComesBack),
            Effect.zipRight(progress.succeeded("listening; heard its last probe back"))
          )
        )
      }).pipe(Effect.scoped)

    yield* supervisedLoop({
      name: "policy listener",
      // Three heartbeats missed: the store may be serving stale policies.
      staleAfter: Duration.times(Duration.sum(heartbeatEvery, probeWithin), 3),
      backoff: restartBackoff
    }, session).pipe(
      // It watches a real connection: wall-clock time even under a test clock.
      Effect.withClock(Clock.make()),
      Effect.forkScoped
    )
    yield* Deferred.await(firstSession).pipe(
      Effect.timeoutFail({
        duration: Duration.sum(probeWithin, Duration.seconds(5)),
        onTimeout: () => new SqlError({ message: `Could not LISTEN on ${policyChannel} for guild policy changes` })
      }),
      Effect.withClock(Clock.make())
    )
  })
