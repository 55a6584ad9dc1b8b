import { SqlClient } from "@effect/sql"
import { ConfigProvider, Effect, Layer } from "effect"
import { ArchiveCodec, type GuildId, LicenseSigner, PlanKey, Tenancy, type TenantId } from "../../core/index.js"
import { sqlRuntime } from "../support/billing.js"
import { newGuildId } from "../support/fixtures.js"

/**
 * An install (CoreLive over its own database), built in the test's scope.
 * `config` stands in for the environment (GUILDHALL_LICENSE_PUBLIC_KEY, say).
 */
export const install = (database: Layer.Layer<SqlClient.SqlClient>, config: Record<string, string> = {}) =>
  Layer.build(
    sqlRuntime(database).pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(config)))))
    )
  )

/**
 * A tenant with `guilds` guilds, `usageRows` daily usage rows spread over
 * them, and three members' xp in the first guild: rows written straight to
 * the tables (as a busy tenant would have them), the tenant through Tenancy.
 */
export const seedTenant = (options: {
  readonly guilds: number
  readonly usageRows: number
  readonly name?: string
  readonly mode?: "hosted" | "self_host"
}) =>
  Effect.gen(function*() {
    const tenancy = yield* Tenancy
    const sql = yield* SqlClient.SqlClient
    const tenant = yield* tenancy.createTenant({
      name: options.name ?? "Exported",
      mode: options.mode ?? "hosted",
      planKey: PlanKey.make("premium")
    })
    const guildIds: Array<GuildId> = Array.from({ length: options.guilds }, () => newGuildId())
    const guildRows = guildIds.map((guildId, i) => ({
      tenant_id: tenant.id,
      guild_id: guildId,
      name: `Guild ${i}`,
      owner_id: "300000000000000001",
      status: "installed",
      config: {},
      installed_at: "2026-01-05T00:00:00Z",
      removed_at: null
    }))
    yield* sql`
      INSERT INTO guilds SELECT * FROM jsonb_populate_recordset(NULL::guilds, ${JSON.stringify(guildRows)}::jsonb)
    `
    yield* sql`
      INSERT INTO guild_directory (guild_id, tenant_id) SELECT guild_id, tenant_id FROM guilds WHERE tenant_id = ${tenant.id}
    `
    const perGuild = Math.ceil(options.usageRows / Math.max(1, options.guilds))
    yield* sql`
      INSERT INTO quota_daily_usage (tenant_id, guild_id, day, meter, used)
      SELECT ${tenant.id}, g.guild_id, date '2026-01-01' + (n / 2), CASE WHEN n % 2 = 0 THEN 'commands' ELSE 'ai_tokens' END, n + 1
      FROM (SELECT guild_id, row_number() OVER (ORDER BY guild_id) AS i FROM guilds WHERE tenant_id = ${tenant.id}) g,
           generate_series(0, ${perGuild - 1}) AS n
      WHERE (g.i - 1) * ${perGuild} + n < ${options.usageRows}
    `
    if (guildIds.length > 0) {
      yield* sql`
        INSERT INTO xp_members (tenant_id, guild_id, user_id, points, last_awarded_at)
        VALUES (${tenant.id}, ${guildIds[0]!}, '400000000000000001', 120, '2026-01-05T10:00:00Z'),
               (${tenant.id}, ${guildIds[0]!}, '400000000000000002', 45, '2026-01-05T11:00:00Z'),
               (${tenant.id}, ${guildIds[0]!}, '400000000000000003', 7, '2026-01-05T12:00:00Z')
      `
    }
    return { tenantId: tenant.id as TenantId, guildIds }
  })

/** The table files of an archive, by path (manifest and signature left out: they name the moment and the signer). */
export const tableFiles = (bytes: Uint8Array) =>
  Effect.map(
    Effect.flatMap(ArchiveCodec, (codec) => codec.unpack(bytes, { maxUnpackedBytes: 1024 * 1024 * 1024 })),
    (entries) =>
      Object.fromEntries(
        entries.filter((entry) => entry.path.startsWith("tables/")).map((entry) => [entry.path, entry.content])
      )
  )

export const publicKeyOf = Effect.map(LicenseSigner, (signer) => signer.publicKey)
