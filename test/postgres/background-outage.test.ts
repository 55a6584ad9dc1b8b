import { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { Context, DateTime, Duration, Effect, Either, Layer, Redacted, Ref, Schedule } from "effect"
import { randomBytes } from "node:crypto"
import {
  JobsSql,
  JobWakeupsSql,
  PgServerClient,
  PolicyStoreSqlOf,
  ReadinessSql,
  runMigrations
} from "../../adapters/postgres/index.js"
import {
  BackgroundComponents,
  type ComponentReport,
  Jobs,
  type JobSpec,
  JobWorker,
  readinessReport
} from "../../core/index.js"
import { isolatedServerSchema, serverAvailable, serverUrl } from "../support/databases.js"
import { handlersOf } from "../support/jobHandlers.js"
import { tcpProxy } from "../support/tcpProxy.js"

/**
 * Fault injection on the Postgres server (ADR 095): the application's
 * connections are terminated, or the server is unreachable for seconds
 * (through a TCP proxy the test cuts); the job worker, the policy listener
 * and readiness come back on their own, jobs enqueued before and after run
 * within seconds of recovery, an expired lease is reclaimed, and no job runs
 * twice.
 */

const withServer = await serverAvailable()

/** The background part of a runner over `url`: job worker, wake-ups, policy listener, readiness, registry. */
const application = (url: string, applicationName: string, runs: Ref.Ref<ReadonlyMap<string, number>>) =>
  JobWorker.layer({ workerId: `worker-${applicationName}`, pollInterval: "200 millis", lease: "1 minute" }).pipe(
    Layer.provideMerge(Layer.mergeAll(
      JobsSql,
      JobWakeupsSql,
      ReadinessSql,
      PolicyStoreSqlOf({ heartbeatEvery: "500 millis", probeWithin: "1 second" }),
      handlersOf({
        "test.Count": (job) =>
          Ref.update(runs, (all) => new Map(all).set(job.idempotencyKey, (all.get(job.idempotencyKey) ?? 0) + 1))
      })
    )),
    Layer.provideMerge(PgServerClient.layer({ url: Redacted.make(url), applicationName })),
    Layer.provideMerge(BackgroundComponents.layer),
    Layer.orDie
  )

type Application = Context.Context<Layer.Layer.Success<ReturnType<typeof application>>>

const jobs = (prefix: string, count: number, runAt: DateTime.Utc): ReadonlyArray<JobSpec> =>
  Array.from({ length: count }, (_, i) => ({
    tenantId: null,
    kind: "test.Count",
    payload: null,
    runAt,
    idempotencyKey: `${prefix}-${i}`
  }))

/** Enqueues through the application, trying again while its pool finds its feet after an outage. */
const enqueue = (app: Application, specs: ReadonlyArray<JobSpec>) =>
  Effect.flatMap(Jobs, (store) => store.enqueue(specs)).pipe(
    Effect.sandbox,
    Effect.retry(Schedule.spaced("200 millis").pipe(Schedule.upTo("10 seconds"))),
    Effect.unsandbox,
    Effect.provide(app)
  )

/** Waits (up to `within`) until every key has run; answers how long it took. */
const allRun = (runs: Ref.Ref<ReadonlyMap<string, number>>, keys: ReadonlyArray<string>, within: Duration.Duration) =>
  Effect.gen(function*() {
    const started = Date.now()
    yield* Ref.get(runs).pipe(
      Effect.filterOrFail((all) => keys.every((key) => all.has(key))),
      Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo(within))),
      Effect.orElse(() =>
        Effect.flatMap(Ref.get(runs), (all) =>
          Effect.dieMessage(
            `within ${Duration.format(within)}, these jobs did not run: ${
              keys.filter((key) => !all.has(key)).join(", ")
            }`
          ))
      )
    )
    return Date.now() - started
  })

/** The readiness answer: Right(components) when ready, Left(NotReady) otherwise. */
const readiness = (app: Application) => Effect.either(readinessReport).pipe(Effect.provide(app))

/** Waits until readiness answers 200 with every component of the application up again. */
const readyAgain = (app: Application, within: Duration.DurationInput) =>
  readiness(app).pipe(
    Effect.filterOrFail((answer) =>
      Either.isRight(answer) &&
      ["database", "job worker", "policy listener", "job wake-up listener"].every((name) =>
        answer.right.some((component: ComponentReport) => component.name === name && component.status === "up")
      )
    ),
    Effect.retry(Schedule.spaced("200 millis").pipe(Schedule.upTo(within))),
    Effect.orElse(() =>
      Effect.flatMap(readiness(app), (answer) => Effect.dieMessage(`not ready again: ${JSON.stringify(answer)}`))
    )
  )

const assertEachRanOnce = (runs: Ref.Ref<ReadonlyMap<string, number>>) =>
  Effect.map(Ref.get(runs), (all) => {
    const twice = Array.from(all).filter(([, count]) => count !== 1)
    assert.deepStrictEqual(twice, [], "a job ran more than once")
  })

const setUp = Effect.gen(function*() {
  const { admin, url } = yield* isolatedServerSchema
  const schema = new URL(url).searchParams.get("options")!.replace("-c search_path=", "")
  const migrated = yield* Layer.build(PgServerClient.layer({ url: Redacted.make(url), maxConnections: 1 }))
  yield* runMigrations.pipe(Effect.provide(migrated), Effect.orDie)
  return { admin: Context.get(admin, PgClient.PgClient), schema, url }
})

describe.skipIf(!withServer)("background work when the Postgres server goes away", () => {
  it.scopedLive(
    "its connections terminated mid-statement: the worker goes on, each job runs once",
    () =>
      Effect.gen(function*() {
        const { admin, schema, url } = yield* setUp
        const applicationName = `guildhall_outage_${randomBytes(4).toString("hex")}`
        const runs = yield* Ref.make<ReadonlyMap<string, number>>(new Map())
        const app = yield* Layer.build(application(url, applicationName, runs))

        const before = jobs("terminate-before", 5, yield* DateTime.now)
        yield* enqueue(app, before)
        yield* allRun(runs, before.map((job) => job.idempotencyKey), Duration.seconds(10))
        yield* readyAgain(app, "10 seconds")

        // Hold the jobs table so the worker's next claim is in flight on the server, then end every connection
        // of the application: that claim fails with a connection error (on main, the worker's fiber died there).
        const ended = yield* admin.withTransaction(Effect.gen(function*() {
          yield* admin`LOCK TABLE ${admin(schema)}.jobs IN ACCESS EXCLUSIVE MODE`
          yield* Effect.sleep("500 millis")
          return yield* admin<{ readonly waiting: boolean }>`
          SELECT wait_event_type = 'Lock' AS waiting, pg_terminate_backend(pid) AS ended FROM pg_stat_activity
          WHERE application_name = ${applicationName}
        `
        }))
        assert.isTrue(ended.some((backend) => backend.waiting), "the worker's claim was waiting on the lock")

        const after = jobs("terminate-after", 5, yield* DateTime.now)
        yield* enqueue(app, after)
        const took = yield* allRun(runs, after.map((job) => job.idempotencyKey), Duration.seconds(10))
        assert.isBelow(took, 8_000)
        yield* readyAgain(app, "10 seconds")
        yield* assertEachRanOnce(runs)
      }),
    60_000
  )

  it.scopedLive(
    "unreachable for seconds: readiness says so; jobs before and after run once within seconds of recovery; an expired lease is reclaimed",
    () =>
      Effect.gen(function*() {
        const { admin, schema, url } = yield* setUp
        const server = new URL(serverUrl)
        const proxy = yield* tcpProxy({ host: server.hostname, port: Number(server.port || 5432) })
        const viaProxy = new URL(url)
        viaProxy.hostname = "127.0.0.1"
        viaProxy.port = String(proxy.port)
        const applicationName = `guildhall_outage_${randomBytes(4).toString("hex")}`
        const runs = yield* Ref.make<ReadonlyMap<string, number>>(new Map())
        const app = yield* Layer.build(application(viaProxy.toString(), applicationName, runs))

        const warmUp = jobs("proxy-warm-up", 3, yield* DateTime.now)
        yield* enqueue(app, warmUp)
        yield* allRun(runs, warmUp.map((job) => job.idempotencyKey), Duration.seconds(10))
        yield* readyAgain(app, "10 seconds")

        // Enqueued before the outage, due during it.
        const before = jobs("proxy-before", 5, DateTime.addDuration(yield* DateTime.now, Duration.seconds(2)))
        yield* enqueue(app, before)
        // A job a crashed worker claimed: its lease runs out during the outage.
        const orphan = jobs("proxy-orphan", 1, yield* DateTime.now)
        yield* admin`
          INSERT INTO ${admin(schema)}.jobs
            (tenant_id, kind, payload, idempotency_key, status, run_at, attempts, max_attempts, created_at,
             locked_by, locked_until)
          VALUES (NULL, 'test.Count', 'null', ${orphan[0]!.idempotencyKey}, 'running', now(), 1, 10, now(),
                  'crashed-worker', now() + interval '2 seconds')
        `

        yield* proxy.cut
        yield* Effect.sleep("1500 millis")
        const during = yield* readiness(app)
        assert.isTrue(Either.isLeft(during), "readiness answers 503 while the database is unreachable")
        if (Either.isLeft(during)) assert.strictEqual(during.left.component, "database")
        yield* Effect.sleep("3 seconds")
        const stillDown = yield* readiness(app)
        assert.isTrue(Either.isLeft(stillDown))
        yield* proxy.resume

        const after = jobs("proxy-after", 5, yield* DateTime.now)
        yield* enqueue(app, after)
        const keys = [...before, ...orphan, ...after].map((job) => job.idempotencyKey)
        // The worker's backoff is capped at 5 s.
        const took = yield* allRun(runs, keys, Duration.seconds(15))
        assert.isBelow(took, 10_000)
        yield* readyAgain(app, "15 seconds")
        yield* assertEachRanOnce(runs)
        const [reclaimed] = yield* admin<{ readonly status: string; readonly attempts: number }>`
          SELECT status, attempts FROM ${admin(schema)}.jobs WHERE idempotency_key = ${orphan[0]!.idempotencyKey}
        `
        assert.deepStrictEqual(reclaimed, { status: "done", attempts: 2 })
      }),
    90_000
  )
})
