import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { gzipSync } from "node:zlib"
import { ArchiveCodecTarGz, entriesOf, tarOf } from "../../adapters/archive/index.js"
import { Ed25519, LicenseSignerEd25519 } from "../../adapters/crypto/index.js"
import { tenantTables } from "../../adapters/postgres/index.js"
import {
  anonymizeTenant,
  ArchiveCodec,
  buildArchive,
  Crypto,
  Exports,
  LicenseSigner,
  TenantData,
  TenantRepo
} from "../../core/index.js"
import { sqlDatabases } from "../support/stores.js"
import { install, publicKeyOf, seedTenant, tableFiles } from "./hostingRuntime.js"

const databases = await sqlDatabases()

/** A gzip bomb: `members` gzip members of 16 MiB of zeros each, about 16 KiB compressed apiece. */
const gzipBomb = (members: number) => {
  const member = gzipSync(Buffer.alloc(16 * 1024 * 1024))
  return new Uint8Array(Buffer.concat(Array.from({ length: members }, () => member)))
}

/** A tar header announcing a file of `size` bytes, as the first thing in an archive, then a gzip bomb as that file. */
const hugeFirstFile = (path: string, size: number) => {
  const header = tarOf([{ path, content: "" }]).slice(0, 512)
  header.set(new TextEncoder().encode(`${size.toString(8).padStart(11, "0")}\0`), 124)
  header.fill(32, 148, 156)
  const checksum = header.reduce((sum, byte) => sum + byte, 0)
  header.set(new TextEncoder().encode(`${checksum.toString(8).padStart(6, "0")}\0 `), 148)
  return new Uint8Array(Buffer.concat([gzipSync(header), gzipBomb(Math.ceil(size / (16 * 1024 * 1024)))]))
}

/** An archive's leading files (a manifest and a signature by a key nobody trusts), then a gzip bomb. */
const foreignHeadThenBomb = () => {
  const head = [
    { path: "manifest.json", content: "{}" },
    { path: "signature.json", content: JSON.stringify({ keyId: "k1", publicKey: "untrusted", signature: "x" }) }
  ]
  const tar = tarOf(head)
  // Without tar's end marker (the bomb's zeros end the archive instead).
  const headMember = gzipSync(tar.subarray(0, tar.length - 1024))
  return { head, bytes: new Uint8Array(Buffer.concat([headMember, gzipBomb(64)])) }
}

const countsOf = (tenantId: string) =>
  Effect.map(
    Effect.flatMap(TenantData, (data) => data.count(tenantId as never)),
    (counts) => Object.fromEntries(counts.map((count) => [count.table, count.rows]))
  )

describe("tar codec", () => {
  it.effect("reads back what it writes, and refuses a damaged header or a cut archive", () =>
    Effect.gen(function*() {
      const entries = [{ path: "a.txt", content: "héllo\n" }, { path: "tables/b.jsonl", content: "x".repeat(700) }]
      const tar = tarOf(entries)
      assert.deepStrictEqual(yield* entriesOf(tar), entries)
      const damaged = tar.slice()
      damaged[3] = 0x7a
      assert.match((yield* Effect.flip(entriesOf(damaged))).message, /checksum/)
      assert.match((yield* Effect.flip(entriesOf(tar.subarray(0, 700)))).message, /truncated/)
    }))

  it.effect("stops unpacking as soon as the output passes the cap: a 4 MiB gzip of 4 GiB is refused at once", () =>
    Effect.gen(function*() {
      const codec = yield* ArchiveCodec
      const bomb = gzipBomb(256)
      assert.isBelow(bomb.length, 8 * 1024 * 1024)
      const started = Date.now()
      const refused = yield* Effect.flip(codec.unpack(bomb, { maxUnpackedBytes: 1024 * 1024 }))
      // Inflating all 4 GiB (were it possible) takes seconds; stopping past 1 MiB takes milliseconds.
      assert.isBelow(Date.now() - started, 2_000)
      assert.strictEqual(refused._tag, "ArchiveTooLarge")
      assert.match(refused.message, /unpacks to more than 1 MiB.*GUILDHALL_IMPORT_MAX_UNPACKED_MIB/)

      // The leading files alone: unpacking stops once they are read, long before the cap.
      const { bytes, head } = foreignHeadThenBomb()
      assert.deepStrictEqual(yield* codec.unpack(bytes, { maxUnpackedBytes: 1024 * 1024, onlyFirst: 2 }), head)

      // Under the cap, an archive unpacks as before.
      const entries = [{ path: "a.txt", content: "x".repeat(100_000) }]
      const packed = yield* codec.pack(entries)
      assert.deepStrictEqual(yield* codec.unpack(packed, { maxUnpackedBytes: 1024 * 1024 }), entries)
    }).pipe(Effect.provide(ArchiveCodecTarGz)))
})

for (const database of databases) {
  // PGlite installs are slow on a busy machine; each test builds two or three.
  describe(`export and import (${database.name})`, { timeout: 120_000 }, () => {
    it.scoped(
      "an archive that unpacks past GUILDHALL_IMPORT_MAX_UNPACKED_MIB is refused (too_large) and nothing is written",
      () =>
        Effect.gen(function*() {
          const server = yield* install(database.layer(), { GUILDHALL_IMPORT_MAX_UNPACKED_MIB: "1" })
          const before = yield* Effect.provide(
            Effect.flatMap(TenantRepo, (tenants) => tenants.list({ limit: 100 })),
            server
          )
          const refused = yield* Effect.provide(
            Effect.flip(
              Effect.flatMap(Exports, (exports) =>
                exports.importArchive(hugeFirstFile("manifest.json", 1024 ** 3), { actor: "operator" }))
            ),
            server
          )
          assert.strictEqual(refused._tag, "ArchiveRefused")
          assert.strictEqual((refused as { reason?: string }).reason, "too_large")
          assert.match(refused.message, /more than 1 MiB/)
          const after = yield* Effect.provide(
            Effect.flatMap(TenantRepo, (tenants) =>
              tenants.list({ limit: 100 })),
            server
          )
          assert.deepStrictEqual(after, before)
        }),
      { timeout: 60_000 }
    )

    it.scoped("round trip: hosted export → self-host import → export again gives identical tables", () =>
      Effect.gen(function*() {
        const hosted = yield* install(database.layer())
        const { guildIds, tenantId } = yield* Effect.provide(seedTenant({ guilds: 5, usageRows: 40 }), hosted)
        const first = yield* Effect.provide(
          Effect.flatMap(Exports, (exports) => exports.exportNow(tenantId, "operator")),
          hosted
        )
        assert.strictEqual(first.status, "ready")
        const bytes = yield* Effect.provide(Effect.flatMap(Exports, (e) => e.archive(tenantId, first.id)), hosted)

        const selfHost = yield* install(database.layer(), {
          GUILDHALL_LICENSE_PUBLIC_KEY: yield* Effect.provide(publicKeyOf, hosted)
        })
        const firstBoot = yield* Effect.provide(
          Effect.flatMap(
            Exports,
            () => seedTenant({ guilds: 0, usageRows: 0, name: "Self-hosted", mode: "self_host" })
          ),
          selfHost
        )
        const imported = yield* Effect.provide(
          Effect.flatMap(Exports, (e) => e.importArchive(bytes, { actor: "cli" })),
          selfHost
        )
        assert.strictEqual(imported.tenantId, tenantId)
        assert.strictEqual(imported.replaced, firstBoot.tenantId)
        assert.strictEqual(imported.tables.find((t) => t.table === "quota_daily_usage")?.rows, 40)
        assert.strictEqual(imported.tables.find((t) => t.table === "guilds")?.rows, guildIds.length)

        const again = yield* Effect.provide(
          Effect.gen(function*() {
            const exports = yield* Exports
            const second = yield* exports.exportNow(tenantId, "operator")
            return yield* exports.archive(tenantId, second.id)
          }),
          selfHost
        )
        const before = yield* Effect.provide(tableFiles(bytes), hosted)
        const after = yield* Effect.provide(tableFiles(again), selfHost)
        assert.deepStrictEqual(after, before)
        assert.include(before["tables/xp_members.jsonl"], "400000000000000002")
        // The first-boot tenant gave way: the install serves the imported one alone.
        const left = yield* Effect.provide(Effect.flatMap(TenantRepo, (t) => t.list({ limit: 5 })), selfHost)
        assert.deepStrictEqual(left.map((t) => t.id), [tenantId])

        // The same archive twice changes nothing.
        yield* Effect.provide(Effect.flatMap(Exports, (e) => e.importArchive(bytes, { actor: "cli" })), selfHost)
        const third = yield* Effect.provide(
          Effect.gen(function*() {
            const exports = yield* Exports
            const export3 = yield* exports.exportNow(tenantId, "operator")
            return yield* exports.archive(tenantId, export3.id)
          }),
          selfHost
        )
        assert.deepStrictEqual(yield* Effect.provide(tableFiles(third), selfHost), before)
      }))

    it.scoped("a corrupt, tampered, foreign or other tenant's archive is refused and nothing is written", () =>
      Effect.gen(function*() {
        const hosted = yield* install(database.layer())
        const { tenantId } = yield* Effect.provide(seedTenant({ guilds: 2, usageRows: 10 }), hosted)
        const bytes = yield* Effect.provide(
          Effect.gen(function*() {
            const exports = yield* Exports
            const done = yield* exports.exportNow(tenantId, "operator")
            return yield* exports.archive(tenantId, done.id)
          }),
          hosted
        )
        const target = yield* install(database.layer())
        const other = yield* Effect.provide(seedTenant({ guilds: 1, usageRows: 1 }), target)
        const importInto = (archive: Uint8Array, options: { onlyTenant?: typeof tenantId } = {}) =>
          Effect.provide(
            Effect.flip(Effect.flatMap(Exports, (e) => e.importArchive(archive, { actor: "test", ...options }))),
            target
          )

        // Not signed by a key the target trusts.
        const foreign = yield* importInto(bytes)
        assert.strictEqual(foreign._tag, "ArchiveRefused")
        assert.strictEqual(foreign._tag === "ArchiveRefused" && foreign.reason, "foreign")

        // Trusted key, then one table edited after signing.
        const trusting = yield* install(database.layer(), {
          GUILDHALL_EXPORT_TRUSTED_KEYS: yield* Effect.provide(publicKeyOf, hosted)
        })

        // Cut short: not gzip any more (by a trusted signer: an untrusted one is refused as foreign first).
        const corrupt = yield* Effect.provide(
          Effect.flip(
            Effect.flatMap(Exports, (e) => e.importArchive(bytes.subarray(0, bytes.length - 40), { actor: "test" }))
          ),
          trusting
        )
        assert.strictEqual(corrupt._tag === "ArchiveRefused" && corrupt.reason, "malformed")
        const codec = yield* Effect.provide(ArchiveCodec, trusting)
        const entries = yield* codec.unpack(bytes, { maxUnpackedBytes: 1024 * 1024 * 1024 })
        const edited = entries.map((entry) =>
          entry.path === "tables/quota_daily_usage.jsonl"
            ? { ...entry, content: entry.content.replace(/"used":1\b/, "\"used\":999") }
            : entry
        )
        const tampered = yield* Effect.provide(
          Effect.flip(
            Effect.flatMap(
              Exports,
              (e) => Effect.flatMap(codec.pack(edited), (archive) => e.importArchive(archive, { actor: "t" }))
            )
          ),
          trusting
        )
        assert.strictEqual(tampered._tag === "ArchiveRefused" && tampered.reason, "tampered")

        // A tenant key importing another tenant's archive.
        const wrongTenant = yield* Effect.provide(
          Effect.flip(
            Effect.flatMap(Exports, (e) => e.importArchive(bytes, { actor: "tenant", onlyTenant: other.tenantId }))
          ),
          trusting
        )
        assert.strictEqual(wrongTenant._tag === "ArchiveRefused" && wrongTenant.reason, "foreign")

        // A newer format version, correctly signed.
        const signer = Ed25519.generateKeyPair()
        const future = yield* Effect.provide(
          Effect.gen(function*() {
            const files = buildArchive({
              tenantId,
              createdAt: "2026-01-01T00:00:00Z",
              tables: [],
              signer: yield* LicenseSigner,
              sha256Hex: (yield* Crypto).sha256Hex
            })
            return files
          }),
          Layer.merge(LicenseSignerEd25519.layer(signer.privateKey), ArchiveCodecTarGz).pipe(
            Layer.provideMerge(Layer.succeed(Crypto, yield* Effect.provide(Crypto, hosted)))
          )
        )
        const unsigned = yield* Effect.provide(
          Effect.flip(
            Effect.flatMap(
              Exports,
              (e) => Effect.flatMap(codec.pack(future), (archive) => e.importArchive(archive, { actor: "t" }))
            )
          ),
          trusting
        )
        assert.strictEqual(unsigned._tag === "ArchiveRefused" && unsigned.reason, "foreign")

        // Nothing of the refused archives was written anywhere.
        for (const runtime of [target, trusting]) {
          const counts = yield* Effect.provide(countsOf(tenantId), runtime)
          assert.strictEqual(counts.tenants, 0)
          assert.strictEqual(counts.quota_daily_usage, 0)
        }
      }))

    it.scoped("purge deletes every row of the tenant in every table, and nobody else's", () =>
      Effect.gen(function*() {
        const runtime = yield* install(database.layer())
        const { tenantId } = yield* Effect.provide(seedTenant({ guilds: 3, usageRows: 12 }), runtime)
        const survivor = yield* Effect.provide(seedTenant({ guilds: 1, usageRows: 3 }), runtime)
        yield* Effect.provide(Effect.flatMap(Exports, (e) => e.exportNow(tenantId, "operator")), runtime)
        const before = yield* Effect.provide(countsOf(tenantId), runtime)
        assert.isAbove(before.guilds!, 0)
        assert.isAbove(before.exports!, 0)
        assert.isAbove(before.audit_events!, 0)

        // Every table with a tenant column is one TenantData knows.
        const columns = yield* Effect.provide(
          Effect.flatMap(SqlClient.SqlClient, (sql) =>
            sql<{ table_name: string }>`
              SELECT DISTINCT table_name FROM information_schema.columns
              WHERE table_schema = current_schema() AND column_name = 'tenant_id'
            `),
          runtime
        )
        const known = new Set(tenantTables.map((table) => table.name))
        assert.deepStrictEqual(columns.map((c) => c.table_name).filter((name) => !known.has(name)), [])

        const deleted = yield* Effect.provide(Effect.flatMap(TenantData, (data) => data.purge(tenantId)), runtime)
        assert.strictEqual(deleted.find((t) => t.table === "quota_daily_usage")?.rows, 12)
        const after = yield* Effect.provide(countsOf(tenantId), runtime)
        assert.deepStrictEqual(Object.values(after).filter((rows) => rows !== 0), [])
        const untouched = yield* Effect.provide(countsOf(survivor.tenantId), runtime)
        assert.strictEqual(untouched.quota_daily_usage, 3)
        assert.strictEqual(untouched.tenants, 1)
      }))

    it.scoped("anonymize replaces member ids with stable pseudonyms everywhere", () =>
      Effect.gen(function*() {
        const runtime = yield* install(database.layer())
        const { tenantId } = yield* Effect.provide(seedTenant({ guilds: 1, usageRows: 2 }), runtime)
        const members = Effect.provide(
          Effect.flatMap(SqlClient.SqlClient, (sql) =>
            sql<{ user_id: string; points: number }>`
              SELECT user_id, points::int AS points FROM xp_members WHERE tenant_id = ${tenantId} ORDER BY points DESC
            `),
          runtime
        )
        const first = yield* Effect.provide(anonymizeTenant(tenantId, "operator"), runtime)
        assert.strictEqual(first.memberIds, 3)
        const pseudonyms = yield* members
        assert.deepStrictEqual(pseudonyms.map((m) => m.points), [120, 45, 7])
        for (const member of pseudonyms) {
          assert.match(member.user_id, /^[0-9]{19}$/)
          assert.notInclude(["400000000000000001", "400000000000000002", "400000000000000003"], member.user_id)
        }
        // Stable: a second pass maps nothing it has not mapped (pseudonyms are not ids it knows), the rows stay.
        yield* Effect.provide(anonymizeTenant(tenantId, "operator"), runtime)
        assert.strictEqual((yield* members).length, 3)
      }))
  })
}
