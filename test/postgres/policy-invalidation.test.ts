import { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { Context, Deferred, Duration, Effect, Exit, Fiber, Layer, Option, Redacted, Stream } from "effect"
import { randomBytes } from "node:crypto"
import {
  PgServerClient,
  PolicyStoreSql,
  PolicyStoreSqlOf,
  RepositoriesSql,
  runMigrations
} from "../../adapters/postgres/index.js"
import { type GuildId, type GuildRepo, PolicyStore, type Rule, RuleRepo, type TenantRepo } from "../../core/index.js"
import { isolatedServerSchema, pgliteDatabase, serverAvailable } from "../support/databases.js"
import { makeRule, tenantWithGuilds } from "../support/policy.js"

/**
 * Two replicas, each with its own PolicyStoreSql: a rule written through one
 * is announced on the other's `changes` within a second, and the other then loads it.
 * Within one process, a committed write is announced without waiting for the NOTIFY.
 */

type Replica = Context.Context<TenantRepo | GuildRepo | RuleRepo | PolicyStore>

const replicaPorts = Layer.mergeAll(RepositoriesSql, PolicyStoreSql)

const heardOn = (replica: Replica, guildId: GuildId) =>
  Effect.gen(function*() {
    const heard = yield* Deferred.make<void>()
    const listening = yield* (yield* PolicyStore).changes.pipe(
      Stream.runForEach((change) => change === guildId ? Deferred.succeed(heard, undefined) : Effect.void),
      Effect.forkScoped
    )
    return { heard: Deferred.await(heard), listening }
  }).pipe(Effect.provide(replica))

const ruleWrittenOnOneIsEnforcedByTheOther = (writer: Replica, reader: Replica) =>
  Effect.gen(function*() {
    const { tenantId, guildIds: [guildId] } = yield* tenantWithGuilds().pipe(Effect.provide(writer))
    const { heard, listening } = yield* heardOn(reader, guildId)
    yield* Effect.sleep(Duration.millis(50)) // the subscription is in place
    const rule = makeRule(tenantId, guildId, { target: "command:ban" })
    yield* Effect.flatMap(RuleRepo, (rules) => rules.put(rule)).pipe(Effect.provide(writer))
    const started = Date.now()
    yield* heard.pipe(Effect.timeoutFail({ duration: Duration.seconds(1), onTimeout: () => "not heard within 1 s" }))
    const latency = Date.now() - started
    yield* Fiber.interrupt(listening)
    const source = yield* Effect.flatMap(PolicyStore, (store) => store.load(guildId)).pipe(Effect.provide(reader))
    assert.deepStrictEqual(Option.getOrThrow(source).rules, [rule])
    assert.isBelow(latency, 1_000)
  })

const withServer = await serverAvailable()

describe("cross-replica policy invalidation", () => {
  it.scopedLive("two PolicyStoreSql on one PGlite, in process", () =>
    Effect.gen(function*() {
      const database = yield* Layer.build(pgliteDatabase())
      const onDatabase = replicaPorts.pipe(Layer.provide(Layer.succeedContext(database)))
      const [one, two] = [yield* Layer.build(onDatabase), yield* Layer.build(onDatabase)]
      yield* ruleWrittenOnOneIsEnforcedByTheOther(one, two)
      yield* ruleWrittenOnOneIsEnforcedByTheOther(two, one)
    }))

  it.scopedLive.skipIf(!withServer)(
    "two replicas on two server pools against one schema",
    () =>
      Effect.gen(function*() {
        const url = Redacted.make((yield* isolatedServerSchema).url)
        // Each build makes a pool (and a listening connection) of its own.
        const replica = () => replicaPorts.pipe(Layer.provideMerge(PgServerClient.layer({ url })))
        const one = yield* Layer.build(replica())
        yield* runMigrations.pipe(Effect.provide(one))
        const two = yield* Layer.build(replica())
        assert.notStrictEqual(Context.get(one, PgClient.PgClient), Context.get(two, PgClient.PgClient))
        yield* ruleWrittenOnOneIsEnforcedByTheOther(one, two)
        yield* ruleWrittenOnOneIsEnforcedByTheOther(two, one)
      }),
    60_000
  )

  it.scopedLive.skipIf(!withServer)(
    "in process, a committed write is announced even when the NOTIFY never arrives; a rolled-back one is not",
    () =>
      Effect.gen(function*() {
        const { admin, url } = yield* isolatedServerSchema
        const applicationName = `guildhall_echo_${randomBytes(4).toString("hex")}`
        const database = PgServerClient.layer({ url: Redacted.make(url), applicationName })
        // No heartbeat during the test: a lost listening connection goes unnoticed, as between two heartbeats.
        const ports = Layer.mergeAll(RepositoriesSql, PolicyStoreSqlOf({ heartbeatEvery: Duration.hours(1) }))
        const replica = yield* Layer.build(ports.pipe(Layer.provideMerge(database)))
        yield* runMigrations.pipe(Effect.provide(replica))
        const { tenantId, guildIds: [guildId] } = yield* tenantWithGuilds().pipe(Effect.provide(replica))

        // Postgres ends the listening connection: from now on, no NOTIFY reaches this process.
        const pgAdmin = Context.get(admin, PgClient.PgClient)
        const ended = yield* pgAdmin<{ ended: boolean }>`
          SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
          WHERE application_name = ${applicationName} AND query LIKE 'LISTEN%'
        `
        assert.deepStrictEqual(ended, [{ ended: true }])

        const { heard, listening } = yield* heardOn(replica, guildId)
        const rules = Context.get(replica, RuleRepo)
        // Bumped, then refused by the table's check: rolled back, so nothing is announced.
        const refused = yield* Effect.exit(
          rules.put({ ...makeRule(tenantId, guildId), effect: "maybe" } as unknown as Rule)
        )
        assert.isTrue(Exit.isFailure(refused))
        const early = yield* heard.pipe(Effect.timeoutOption(Duration.millis(300)))
        assert.isTrue(Option.isNone(early), "a rolled-back write was announced")

        yield* rules.put(makeRule(tenantId, guildId, { target: "command:ban" }))
        yield* heard.pipe(
          Effect.timeoutFail({
            duration: Duration.seconds(1),
            onTimeout: () => "the committed write was not announced"
          })
        )
        yield* Fiber.interrupt(listening)
      }),
    60_000
  )
})
