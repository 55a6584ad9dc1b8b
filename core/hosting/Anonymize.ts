import { Effect } from "effect"
import type { TenantId } from "../ids.js"
import { AuditLog } from "../ports/AuditLog.js"
import { Crypto } from "../ports/Crypto.js"
import { PlatformSettingsRepo } from "../ports/PlatformSettingsRepo.js"
import { type JsonRow, type TableRows, TenantData } from "../ports/TenantData.js"
import { auditTrail } from "./auditTrail.js"

/** Columns that hold a Discord user's id; every occurrence of those ids anywhere in the tenant's rows is replaced. */
const personalIdColumns: Readonly<Record<string, ReadonlyArray<string>>> = {
  subscriptions: ["user_id"],
  payment_orders: ["user_id"],
  xp_members: ["user_id"]
}

/** Raw provider payloads carry names and e-mail addresses: they are dropped, not hashed. */
const droppedPayload = JSON.stringify({ anonymized: true })

const anonymizeKeySetting = "anonymize_key"

/**
 * A stable pseudonym for a user id: the same id always maps to the same
 * 19-digit number (so rows still read as snowflakes and still group by
 * member), keyed by a platform secret so it cannot be reversed by hashing
 * candidate ids.
 */
const pseudonym = (sha256Hex: (text: string) => string, key: string, id: string) =>
  (1_000_000_000_000_000_000n + BigInt(`0x${sha256Hex(`${key}:${id}`).slice(0, 15)}`)).toString()

const replaceIds = (value: unknown, ids: ReadonlyMap<string, string>): unknown => {
  if (typeof value === "string") {
    const whole = ids.get(value)
    if (whole !== undefined) return whole
    // Ids inside composite keys ("role:<guild>:<role>:<user>").
    return value.includes(":") ? value.split(":").map((part) => ids.get(part) ?? part).join(":") : value
  }
  if (Array.isArray(value)) return value.map((item) => replaceIds(item, ids))
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceIds(v, ids)]))
  }
  return value
}

/** The tenant's rows with every member id replaced by its pseudonym and raw webhook payloads dropped. */
export const anonymizeRows = (
  tables: ReadonlyArray<TableRows>,
  pseudonymOf: (id: string) => string
): { readonly tables: ReadonlyArray<TableRows>; readonly ids: number } => {
  const ids = new Map<string, string>()
  for (const { rows, table } of tables) {
    for (const column of personalIdColumns[table] ?? []) {
      for (const row of rows) {
        const id = row[column]
        if (typeof id === "string" && id !== "" && !ids.has(id)) ids.set(id, pseudonymOf(id))
      }
    }
  }
  const anonymized = tables.map(({ rows, table }) => ({
    table,
    rows: rows.map((row): JsonRow => {
      const replaced = replaceIds(row, ids) as Record<string, unknown>
      return table === "webhook_events" ? { ...replaced, payload: droppedPayload } : replaced
    })
  }))
  return { tables: anonymized, ids: ids.size }
}

/**
 * Operator: replaces the tenant's member ids with stable pseudonyms, in one
 * transaction (dump, rewrite, restore). Guild and role ids stay: they are
 * servers' and roles', not people's.
 */
export const anonymizeTenant = (tenantId: TenantId, actor: string) =>
  Effect.gen(function*() {
    const data = yield* TenantData
    const crypto = yield* Crypto
    const key = yield* (yield* PlatformSettingsRepo).getOrInsert(anonymizeKeySetting, yield* crypto.randomToken(32))
    const tables = yield* data.dump(tenantId)
    const anonymized = anonymizeRows(tables, (id) => pseudonym(crypto.sha256Hex, key, id))
    yield* data.restore(tenantId, anonymized.tables)
    yield* auditTrail(yield* AuditLog, crypto)(tenantId, actor, "tenant.anonymized", tenantId, {
      memberIds: anonymized.ids
    })
    return { memberIds: anonymized.ids }
  })
