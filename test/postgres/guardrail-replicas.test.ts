import { assert, describe, it } from "@effect/vitest"
import { type Context, DateTime, Duration, Effect, Layer, Option, Redacted, Schedule } from "effect"
import { randomUUID } from "node:crypto"
import { PgServerClient, runMigrations } from "../../adapters/postgres/index.js"
import {
  ChannelId,
  type CommandContext,
  type Decision,
  Guardrail,
  GuildFeatures,
  GuildId,
  GuildRules,
  PlanKey,
  Tenancy,
  UserId
} from "../../core/index.js"
import { sqlRuntime } from "../support/billing.js"
import { isolatedServerSchema, pgliteDatabase, serverAvailable } from "../support/databases.js"

/**
 * Two runtimes on one database, each with its own guardrail and snapshot
 * cache: a rule written through one is enforced by the other within a second.
 */

type Replica = Context.Context<Guardrail | GuildRules | GuildFeatures | Tenancy>

const owner = UserId.make("100000000000000001")
const member = UserId.make("100000000000000002")

const rankContext = (tenantId: CommandContext["tenantId"], guildId: GuildId): CommandContext => ({
  tenantId,
  guildId,
  userId: member,
  memberRoles: [],
  memberPermissions: 0n,
  channelId: ChannelId.make("300000000000000001"),
  parentChannelId: null,
  categoryId: null,
  appPermissions: 0n,
  commandPath: ["rank"],
  interactionId: randomUUID()
})

const check = (replica: Replica, ctx: CommandContext): Effect.Effect<Decision> =>
  Effect.flatMap(Guardrail, (guardrail) => guardrail.check({ ...ctx, interactionId: randomUUID() })).pipe(
    Effect.provide(replica)
  )

const ruleWrittenOnOneIsEnforcedByTheOther = (writer: Replica, enforcer: Replica) =>
  Effect.gen(function*() {
    const guildId = GuildId.make(`4${Array.from({ length: 17 }, () => Math.floor(Math.random() * 10)).join("")}`)
    const { tenantId } = yield* Effect.gen(function*() {
      const tenancy = yield* Tenancy
      const tenant = yield* tenancy.createTenant({ name: "Replicated", planKey: PlanKey.make("basic") })
      yield* tenancy.installGuild({ tenantId: tenant.id, guildId, name: "G", ownerId: owner })
      yield* (yield* GuildFeatures).enable(tenant.id, guildId, "xp", Option.none())
      return { tenantId: tenant.id }
    }).pipe(Effect.provide(writer))

    const ctx = rankContext(tenantId, guildId)
    // The enforcer has the guild's snapshot cached, with no rule in it.
    assert.strictEqual((yield* check(enforcer, ctx))._tag, "Allow")

    yield* Effect.flatMap(GuildRules, (rules) =>
      rules.replace(tenantId, guildId, "tenant", [
        { target: "command:rank", subject: "guild", subjectId: guildId, effect: "deny" }
      ])).pipe(Effect.provide(writer))
    const written = yield* DateTime.now

    const enforced = yield* check(enforcer, ctx).pipe(
      Effect.filterOrFail((decision) => decision._tag === "Deny", () => "still allowed"),
      Effect.retry(Schedule.spaced("20 millis")),
      Effect.timeoutFail({ duration: Duration.seconds(1), onTimeout: () => "the rule was not enforced within 1 s" })
    )
    const latency = DateTime.distance(written, yield* DateTime.now)
    assert.strictEqual(enforced._tag === "Deny" && enforced.code, "RULE_DENIED")
    assert.isBelow(latency, 1_000)
  })

const withServer = await serverAvailable()

describe("guardrail across replicas", () => {
  it.scopedLive("two runtimes on one PGlite, in process", () =>
    Effect.gen(function*() {
      const database = Layer.succeedContext(yield* Layer.build(pgliteDatabase()))
      const one = yield* Layer.build(sqlRuntime(database))
      const two = yield* Layer.build(sqlRuntime(database))
      yield* ruleWrittenOnOneIsEnforcedByTheOther(one, two)
    }), 60_000)

  it.scopedLive.skipIf(!withServer)(
    "two runtimes on two server pools against one schema",
    () =>
      Effect.gen(function*() {
        const url = Redacted.make((yield* isolatedServerSchema).url)
        const pool = () => PgServerClient.layer({ url })
        yield* runMigrations.pipe(Effect.provide(yield* Layer.build(pool())), Effect.orDie)
        const one = yield* Layer.build(sqlRuntime(pool()))
        const two = yield* Layer.build(sqlRuntime(pool()))
        yield* ruleWrittenOnOneIsEnforcedByTheOther(one, two)
        yield* ruleWrittenOnOneIsEnforcedByTheOther(two, one)
      }),
    60_000
  )
})
