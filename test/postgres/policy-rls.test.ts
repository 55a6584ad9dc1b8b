import { SqlClient } from "@effect/sql"
import { assert, describe, layer } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { asPlatform, inTenant, RepositoriesSql } from "../../adapters/postgres/index.js"
import {
  EntitlementRepo,
  GuildFeatureRepo,
  GuildId,
  KillSwitchRepo,
  RuleRepo,
  TenantId,
  TenantRepo
} from "../../core/index.js"
import { install, makeTenant } from "../support/fixtures.js"
import { makeHeld, makeOverride, makeRule } from "../support/policy.js"
import { sqlDatabases } from "../support/stores.js"

const tenantA = TenantId.make("0a000000-0000-4000-8000-0000000000a5")
const tenantB = TenantId.make("0b000000-0000-4000-8000-0000000000b5")
const guildA = GuildId.make("100000000000000051")
const guildB = GuildId.make("100000000000000052")

/** Each tenant with a guild, a feature, a rule, an override and an add-on; and one kill switch. */
const seed = Effect.gen(function*() {
  for (const [tenantId, guildId] of [[tenantA, guildA], [tenantB, guildB]] as const) {
    yield* (yield* TenantRepo).insert(makeTenant({ id: tenantId, planKey: "enterprise" }))
    yield* install({ tenantId, guildId })
    yield* (yield* GuildFeatureRepo).set(tenantId, guildId, {
      featureKey: "xp",
      enabled: true,
      config: {},
      configVersion: 1
    })
    yield* (yield* RuleRepo).put(makeRule(tenantId, guildId))
    yield* (yield* EntitlementRepo).createOverride(makeOverride({ tenantId, guildId }))
    yield* (yield* EntitlementRepo).setHeldAddOn(makeHeld(tenantId))
  }
  yield* (yield* KillSwitchRepo).set("xp", true)
})

const tenantTables = ["guild_features", "rbac_rules", "plan_overrides", "held_add_ons", "guild_policy_versions"]
const platformTables = ["kill_switches", "platform_policy_version"]

const unfilteredOwners = (table: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ owner: string }>`SELECT tenant_id AS owner FROM ${sql(table)}`,
      (rows) => [...new Set(rows.map((row) => row.owner))].sort()
    ))

const unfilteredCount = (table: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => Effect.map(sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql(table)}`, ([row]) => row!.n)
  )

for (const database of await sqlDatabases()) {
  describe(`guild policy row-level security on ${database.name}`, () => {
    const Seeded = Layer.effectDiscard(Effect.orDie(seed)).pipe(
      Layer.provideMerge(RepositoriesSql),
      Layer.provideMerge(database.layer())
    )

    layer(Seeded)((it) => {
      it.effect("an unfiltered SELECT in a tenant's context returns only that tenant's policy rows", () =>
        Effect.gen(function*() {
          for (const table of tenantTables) {
            assert.deepStrictEqual(yield* inTenant(tenantA)(unfilteredOwners(table)), [tenantA], table)
            assert.deepStrictEqual(yield* inTenant(tenantB)(unfilteredOwners(table)), [tenantB], table)
            assert.deepStrictEqual(yield* asPlatform(unfilteredOwners(table)), [tenantA, tenantB], table)
          }
        }))

      it.effect("platform policy tables are invisible and unwritable in a tenant's context", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          for (const table of platformTables) {
            assert.strictEqual(yield* inTenant(tenantA)(unfilteredCount(table)), 0, table)
            assert.strictEqual(yield* asPlatform(unfilteredCount(table)), 1, table)
          }
          const exit = yield* Effect.exit(inTenant(tenantA)(sql`INSERT INTO kill_switches (key) VALUES ('*')`))
          assert.isTrue(Exit.isFailure(exit))
        }))

      it.effect("writing another tenant's policy rows in a tenant's context is refused", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const exit = yield* Effect.exit(
            inTenant(tenantA)(
              sql`INSERT INTO rbac_rules (tenant_id, guild_id, id, scope, target, subject, subject_id, effect)
                VALUES (${tenantB}, ${guildB}, '0b000000-0000-4000-8000-0000000000ee', 'tenant', '*', 'guild',
                        ${guildB}, 'allow')`
            )
          )
          assert.isTrue(Exit.isFailure(exit))
          const touched = yield* inTenant(tenantA)(
            sql`UPDATE rbac_rules SET effect = 'allow' WHERE tenant_id = ${tenantB} RETURNING id`
          )
          assert.deepStrictEqual(touched, [])
        }))
    })
  })
}
