import { SqlClient } from "@effect/sql"
import { type SqlError } from "@effect/sql/SqlError"
import { Effect, Layer, Option, type ParseResult, Schema } from "effect"
import { Guild, type GuildId, GuildRepo, type InstallState, TenantId, TenantNotFound } from "../../core/index.js"
import { bumpPolicy } from "./policyVersions.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, decodeFirst, instantParam, jsonParam, nullableInstantParam } from "./rows.js"
import { decodeTenant, tenantColumns } from "./TenantRepoSql.js"
import { asPlatform, inTenant, withPlatformView } from "./TenantScope.js"

const guildColumns = "tenant_id, guild_id, name, owner_id, status, config, installed_at, removed_at"

const decodeGuilds = decodeAll(Guild)
const decodeGuild = decodeFirst(Guild)

export const GuildRepoSql = Layer.effect(
  GuildRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)

    const findOwn = (tenantId: TenantId, guildId: GuildId) =>
      sql`SELECT ${sql.literal(guildColumns)} FROM guilds WHERE tenant_id = ${tenantId} AND guild_id = ${guildId}`
        .pipe(decodeGuild)

    /**
     * Claims the guild in the directory if nobody has it (the unique key makes
     * a racing tenant wait for this transaction), else locks the owner's row.
     * None: this tenant just claimed it. The claim is rolled back with the
     * transaction if the install is refused.
     */
    const claimOrLockOwner = (
      tenantId: TenantId,
      guildId: GuildId
    ): Effect.Effect<Option.Option<TenantId>, SqlError | ParseResult.ParseError, SqlClient.SqlClient> =>
      Effect.gen(function*() {
        const claimed = yield* sql`
          INSERT INTO guild_directory (guild_id, tenant_id) VALUES (${guildId}, ${tenantId})
          ON CONFLICT (guild_id) DO NOTHING
          RETURNING tenant_id
        `
        if (claimed.length > 0) return Option.none()
        // Another tenant's row is invisible in this tenant's context.
        const owner = yield* withPlatformView(
          sql<{ tenant_id: unknown }>`SELECT tenant_id FROM guild_directory WHERE guild_id = ${guildId} FOR UPDATE`
        )
        // Its owner removed the guild between the two statements: claim again.
        if (owner.length === 0) return yield* claimOrLockOwner(tenantId, guildId)
        return Option.some(yield* Schema.decodeUnknown(TenantId)(owner[0]!.tenant_id))
      })

    const readInstallState = (tenantId: TenantId, guildId: GuildId) =>
      Effect.gen(function*() {
        // The tenant's lock serializes its installs and removals, so the count below stays exact.
        const tenant = yield* sql`SELECT ${sql.literal(tenantColumns)} FROM tenants WHERE id = ${tenantId} FOR UPDATE`
          .pipe(decodeTenant)
        if (Option.isNone(tenant)) return yield* TenantNotFound.of(tenantId)
        const currentOwner = yield* claimOrLockOwner(tenantId, guildId)
        const existing = yield* findOwn(tenantId, guildId)
        const [counted] = yield* sql<{ installed: number }>`
          SELECT count(*)::int AS installed FROM guilds WHERE tenant_id = ${tenantId} AND status = 'installed'
        `
        return {
          tenant: tenant.value,
          currentOwner,
          existing,
          installedCount: counted!.installed
        } satisfies InstallState
      })

    const upsertGuild = (guild: Guild) =>
      sql`
        INSERT INTO guilds (${sql.literal(guildColumns)})
        VALUES (${guild.tenantId}, ${guild.guildId}, ${guild.name}, ${guild.ownerId}, ${guild.status},
                ${jsonParam(guild.config)}::jsonb, ${instantParam(guild.installedAt)},
                ${nullableInstantParam(guild.removedAt)})
        ON CONFLICT (tenant_id, guild_id) DO UPDATE SET
          name = excluded.name, owner_id = excluded.owner_id, status = excluded.status, config = excluded.config,
          installed_at = excluded.installed_at, removed_at = excluded.removed_at
      `

    return GuildRepo.of({
      install: (tenantId, guildId, decide) =>
        Effect.gen(function*() {
          const state = yield* readInstallState(tenantId, guildId)
          const outcome = yield* decide(state)
          yield* upsertGuild(outcome.guild)
          // Installing or updating (owner, mod and admin roles) changes the guild's policy.
          yield* bumpPolicy(tenantId, guildId)
          if (Option.isSome(state.currentOwner) && state.currentOwner.value !== tenantId) {
            // Only a `decide` that lets a tenant take over an installed guild gets here.
            yield* withPlatformView(sql`UPDATE guild_directory SET tenant_id = ${tenantId} WHERE guild_id = ${guildId}`)
          }
          return outcome
        }).pipe(
          inTenant(tenantId),
          boundary
        ),
      remove: (tenantId, guildId, removedAt) =>
        Effect.gen(function*() {
          yield* sql`SELECT id FROM tenants WHERE id = ${tenantId} FOR UPDATE`
          const removed = yield* sql`
            UPDATE guilds SET status = 'removed', removed_at = ${instantParam(removedAt)}
            WHERE tenant_id = ${tenantId} AND guild_id = ${guildId} AND status = 'installed'
            RETURNING ${sql.literal(guildColumns)}
          `.pipe(decodeGuild)
          if (Option.isNone(removed)) return yield* findOwn(tenantId, guildId)
          yield* sql`DELETE FROM guild_directory WHERE guild_id = ${guildId} AND tenant_id = ${tenantId}`
          yield* bumpPolicy(tenantId, guildId)
          return removed
        }).pipe(inTenant(tenantId), boundary),
      find: (tenantId, guildId) => findOwn(tenantId, guildId).pipe(inTenant(tenantId), boundary),
      findAnyTenant: (guildId) =>
        sql`
          SELECT g.*
          FROM guilds g
          LEFT JOIN guild_directory d ON d.guild_id = g.guild_id AND d.tenant_id = g.tenant_id
          WHERE g.guild_id = ${guildId}
          ORDER BY d.tenant_id IS NOT NULL DESC, g.removed_at DESC NULLS LAST
          LIMIT 1
        `.pipe(decodeGuild, asPlatform, boundary),
      listByTenant: (tenantId) =>
        sql`
          SELECT ${sql.literal(guildColumns)} FROM guilds
          WHERE tenant_id = ${tenantId}
          ORDER BY guild_id COLLATE "C"
        `.pipe(decodeGuilds, inTenant(tenantId), boundary)
    })
  })
)
