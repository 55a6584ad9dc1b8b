import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Layer, Option, PubSub, Schema, Stream } from "effect"
import {
  Guild,
  GuildId,
  HeldAddOn,
  Override,
  type PolicyChange,
  type PolicySource,
  PolicyStore,
  Rule,
  Tenant
} from "../../core/index.js"
import { listenForPolicyChanges, type PolicyChangeListenerOptions } from "./PolicyChangeListener.js"
import { GuildFeatureStateSchema } from "./policyRows.js"
import { hearCommittedBumps } from "./policyVersions.js"
import { dieOnInfrastructureError } from "./repositoryBoundary.js"

/** A guild's policy sources as the one statement below returns them: JSON in the core Schemas' encoded shapes. */
const PolicySourceJson = Schema.Struct({
  tenant: Tenant,
  guild: Guild,
  held: Schema.Array(HeldAddOn),
  overrides: Schema.Array(Override),
  features: Schema.Array(GuildFeatureStateSchema),
  rules: Schema.Array(Rule),
  killSwitches: Schema.Array(Schema.String),
  version: Schema.Int
})
const decodeSource = Schema.decodeUnknown(PolicySourceJson)

/**
 * Everything a guild's snapshot is built from, in ONE round trip: a simple-
 * protocol query of two statements, which Postgres runs as one implicit
 * transaction. The first switches to the application role in the platform
 * context (`is_local`: both end with that transaction), the second builds the
 * source as one JSON value with correlated subqueries.
 *
 * Why the platform context is safe here: the caller knows only a guild id
 * (from Discord), and guild_directory names the one tenant that has it
 * installed; every subquery is keyed on that tenant_id (and guild_id), so
 * nothing of another tenant can appear, and the result feeds the guardrail of
 * this process, never an API caller.
 *
 * The simple protocol takes no parameters, so the guild id is inlined; it is
 * checked to be a snowflake (digits only) first, so it cannot carry SQL.
 */
const loadStatement = (guildId: GuildId) => `
  SELECT set_config('app.platform', 'on', true), set_config('role', 'guildhall_app', true);
  SELECT json_build_object(
    'tenant', (
      SELECT json_build_object('id', t.id, 'name', t.name, 'mode', t.mode, 'status', t.status,
        'planKey', t.plan_key, 'guildDefaults', t.guild_defaults, 'createdAt', t.created_at)
      FROM tenants t WHERE t.id = d.tenant_id),
    'guild', (
      SELECT json_build_object('tenantId', g.tenant_id, 'guildId', g.guild_id, 'name', g.name,
        'ownerId', g.owner_id, 'status', g.status, 'config', g.config, 'installedAt', g.installed_at,
        'removedAt', g.removed_at)
      FROM guilds g WHERE g.tenant_id = d.tenant_id AND g.guild_id = d.guild_id),
    'held', coalesce((
      SELECT json_agg(json_build_object('tenantId', h.tenant_id, 'addOnKey', h.add_on_key,
        'quantity', h.quantity, 'expiresAt', h.expires_at) ORDER BY h.add_on_key COLLATE "C")
      FROM held_add_ons h WHERE h.tenant_id = d.tenant_id), '[]'),
    'overrides', coalesce((
      SELECT json_agg(json_build_object('id', o.id, 'tenantId', o.tenant_id, 'guildId', o.guild_id,
        'planKey', o.plan_key, 'features', o.features, 'limits', o.limits, 'reason', o.reason,
        'expiresAt', o.expires_at, 'createdAt', o.created_at) ORDER BY o.created_at, o.id)
      FROM plan_overrides o
      WHERE o.tenant_id = d.tenant_id AND (o.guild_id IS NULL OR o.guild_id = d.guild_id)), '[]'),
    'features', coalesce((
      SELECT json_agg(json_build_object('featureKey', f.feature_key, 'enabled', f.enabled,
        'config', f.config, 'configVersion', f.config_version) ORDER BY f.feature_key COLLATE "C")
      FROM guild_features f WHERE f.tenant_id = d.tenant_id AND f.guild_id = d.guild_id), '[]'),
    'rules', coalesce((
      SELECT json_agg(json_build_object('id', r.id, 'scope', r.scope, 'tenantId', r.tenant_id,
        'guildId', r.guild_id, 'target', r.target, 'subject', r.subject, 'subjectId', r.subject_id,
        'effect', r.effect) ORDER BY r.scope COLLATE "C", r.id)
      FROM rbac_rules r WHERE r.tenant_id = d.tenant_id AND r.guild_id = d.guild_id), '[]'),
    'killSwitches', coalesce((SELECT json_agg(k.key ORDER BY k.key COLLATE "C") FROM kill_switches k), '[]'),
    'version', coalesce((
      SELECT v.version FROM guild_policy_versions v
      WHERE v.tenant_id = d.tenant_id AND v.guild_id = d.guild_id), 0)
      + (SELECT p.version FROM platform_policy_version p)
  ) AS source
  FROM guild_directory d
  WHERE d.guild_id = '${guildId}'
`

const isGuildId = Schema.is(GuildId)

/** Both clients answer a two-statement query with each statement's rows. */
const sourceRow = (results: ReadonlyArray<unknown>): unknown => {
  const rows = results[1]
  return Array.isArray(rows) && rows.length > 0 ? (rows[0] as { source: unknown }).source : undefined
}

/**
 * The PolicyStore over Postgres (PGlite or a server): `load` reads a guild's
 * sources in one round trip, `changes` hears the policy channel (see
 * PolicyChangeListener), and also hears at once what this process's own
 * transactions on the same client commit (ADR 092). The layer is ready once
 * it listens, so no change committed after it was built can be missed.
 */
export const PolicyStoreSqlOf = (
  options: PolicyChangeListenerOptions = {}
): Layer.Layer<PolicyStore, SqlError, SqlClient.SqlClient> =>
  Layer.scoped(
    PolicyStore,
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const published = yield* PubSub.unbounded<PolicyChange>()
      yield* listenForPolicyChanges(published, options)
      yield* hearCommittedBumps(sql, published)

      const load = (guildId: GuildId): Effect.Effect<Option.Option<PolicySource>> => {
        if (!isGuildId(guildId)) return Effect.succeed(Option.none())
        return sql.unsafe<ReadonlyArray<unknown>>(loadStatement(guildId)).pipe(
          Effect.flatMap((results) => {
            const source = sourceRow(results)
            return source === undefined ? Effect.succeedNone : Effect.asSome(decodeSource(source))
          }),
          dieOnInfrastructureError
        )
      }

      return PolicyStore.of({ load, changes: Stream.fromPubSub(published) })
    })
  )

/** With the default heartbeat (15 s) and probe timeout (5 s). */
export const PolicyStoreSql = PolicyStoreSqlOf()
