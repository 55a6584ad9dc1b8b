import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import { GuildNotFound, Rule, RuleRepo, validateRuleSet } from "../../core/index.js"
import { ruleColumns } from "./policyRows.js"
import { bumpPolicy } from "./policyVersions.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, decodeFirst } from "./rows.js"
import { inTenant } from "./TenantScope.js"

const decodeRules = decodeAll(Rule)
const decodeRule = decodeFirst(Rule)

const ruleRow = (rule: Rule) => ({
  tenant_id: rule.tenantId,
  guild_id: rule.guildId,
  id: rule.id,
  scope: rule.scope,
  target: rule.target,
  subject: rule.subject,
  subject_id: rule.subjectId,
  effect: rule.effect
})

export const RuleRepoSql = Layer.effect(
  RuleRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const columns = sql.literal(ruleColumns)
    const boundary = repositoryBoundary(sql)

    /** Bumping first also proves the tenant has the guild (and serializes writers of its policy). */
    const bumpOrNotFound = (rule: Pick<Rule, "tenantId" | "guildId">) =>
      Effect.flatMap(
        bumpPolicy(rule.tenantId, rule.guildId),
        (bumped) => bumped.length === 0 ? GuildNotFound.of(rule.guildId) : Effect.void
      )

    return RuleRepo.of({
      list: (tenantId, guildId) =>
        sql`
          SELECT ${columns} FROM rbac_rules
          WHERE tenant_id = ${tenantId} AND guild_id = ${guildId}
          ORDER BY scope COLLATE "C", id
        `.pipe(decodeRules, inTenant(tenantId), boundary),
      put: (rule) =>
        bumpOrNotFound(rule).pipe(
          Effect.zipRight(sql`
            INSERT INTO rbac_rules ${sql.insert(ruleRow(rule))}
            ON CONFLICT (tenant_id, guild_id, id) DO UPDATE SET
              scope = excluded.scope, target = excluded.target, subject = excluded.subject,
              subject_id = excluded.subject_id, effect = excluded.effect
          `),
          Effect.as(rule),
          inTenant(rule.tenantId),
          boundary
        ),
      replaceAll: (tenantId, guildId, scope, rules) =>
        Effect.gen(function*() {
          yield* validateRuleSet(tenantId, guildId, scope, rules)
          yield* bumpOrNotFound({ tenantId, guildId })
          yield* sql`DELETE FROM rbac_rules WHERE tenant_id = ${tenantId} AND guild_id = ${guildId} AND scope = ${scope}`
          if (rules.length > 0) yield* sql`INSERT INTO rbac_rules ${sql.insert(rules.map(ruleRow))}`
          return yield* sql`
            SELECT ${columns} FROM rbac_rules
            WHERE tenant_id = ${tenantId} AND guild_id = ${guildId} AND scope = ${scope}
            ORDER BY id
          `.pipe(decodeRules)
        }).pipe(inTenant(tenantId), boundary),
      remove: (tenantId, guildId, ruleId) =>
        Effect.gen(function*() {
          const removed = yield* sql`
            DELETE FROM rbac_rules WHERE tenant_id = ${tenantId} AND guild_id = ${guildId} AND id = ${ruleId}
            RETURNING ${columns}
          `.pipe(decodeRule)
          if (Option.isSome(removed)) yield* bumpPolicy(tenantId, guildId)
          return removed
        }).pipe(inTenant(tenantId), boundary)
    })
  })
)
