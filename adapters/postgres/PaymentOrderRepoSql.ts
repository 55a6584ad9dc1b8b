import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import { HeldTransfer, PaymentOrder, PaymentOrderRepo, type TenantId } from "../../core/index.js"
import { isUniqueViolation, repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, decodeFirst, instantParam, moneyOf, nullableInstantParam, type Row } from "./rows.js"
import { asPlatform, inTenant } from "./TenantScope.js"

const orderColumns = `tenant_id, id, guild_id, role_id, user_id, code, amount_minor, currency, account_number,
  bank_code, pass_days, status, received_minor, overpaid_minor, transaction_id, created_at, expires_at, settled_at`

const orderFromFields = (fields: Row) => ({
  ...fields,
  amountDue: moneyOf(fields, "amountMinor"),
  receivedMinor: Number(fields.receivedMinor),
  overpaidMinor: Number(fields.overpaidMinor)
})

const decodeOrder = decodeFirst(PaymentOrder, orderFromFields)
const decodeOrders = decodeAll(PaymentOrder, orderFromFields)

const heldColumns = `tenant_id, transaction_id, order_id, amount_minor, currency, reason, occurred_at, held_at, status,
  resolved_at, resolved_by`

const heldFromFields = (fields: Row) => ({ ...fields, amount: moneyOf(fields, "amountMinor") })

const decodeHeld = decodeFirst(HeldTransfer, heldFromFields)
const decodeHelds = decodeAll(HeldTransfer, heldFromFields)

/** One tenant's context, or the platform's to read every tenant's rows. */
const scopeOf = (tenantId: Option.Option<TenantId>) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Option.match(tenantId, { onNone: () => asPlatform(effect), onSome: (id) => inTenant(id)(effect) })

/** The unique index of migration 0009 on (tenant_id, upper(code)). */
const codeIndex = "payment_orders_code_key"

/** A unique violation of the payment code index. */
const isCodeTaken = (error: unknown): boolean => isUniqueViolation(error, codeIndex)

/** PaymentOrderRepo on Postgres. Codes are unique per tenant case-insensitively (the index on upper(code)). */
export const PaymentOrderRepoSql = Layer.effect(
  PaymentOrderRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const columns = sql.literal(orderColumns)
    const held = sql.literal(heldColumns)
    const boundary = repositoryBoundary(sql)

    return PaymentOrderRepo.of({
      insert: (order) =>
        sql`
          INSERT INTO payment_orders (${columns})
          VALUES (${order.tenantId}, ${order.id}, ${order.guildId}, ${order.roleId}, ${order.userId}, ${order.code},
                  ${order.amountDue.minor}::bigint, ${order.amountDue.currency}, ${order.accountNumber},
                  ${order.bankCode}, ${order.passDays}::integer, ${order.status}, ${order.receivedMinor}::bigint,
                  ${order.overpaidMinor}::bigint, ${order.transactionId}, ${instantParam(order.createdAt)},
                  ${instantParam(order.expiresAt)}, ${nullableInstantParam(order.settledAt)}::timestamptz)
        `.pipe(
          Effect.as("inserted" as const),
          inTenant(order.tenantId),
          Effect.catchIf(isCodeTaken, () => Effect.succeed("code_taken" as const)),
          boundary
        ),
      findByCode: (tenantId, code) =>
        sql`
          SELECT ${columns} FROM payment_orders WHERE tenant_id = ${tenantId} AND upper(code) = upper(${code})
        `.pipe(decodeOrder, inTenant(tenantId), boundary),
      find: (tenantId, id) =>
        sql`
          SELECT ${columns} FROM payment_orders WHERE tenant_id = ${tenantId} AND id = ${id}::uuid
        `.pipe(decodeOrder, inTenant(tenantId), boundary),
      // Only an order still as expected is settled: of two settlements racing, the second finds it changed.
      settle: (tenantId, id, expected, settlement) =>
        sql`
          UPDATE payment_orders SET
            status = ${settlement.status}, received_minor = ${settlement.receivedMinor}::bigint,
            overpaid_minor = ${settlement.overpaidMinor}::bigint, transaction_id = ${settlement.transactionId},
            settled_at = ${instantParam(settlement.settledAt)}
          WHERE tenant_id = ${tenantId} AND id = ${id}::uuid AND status = ${expected.status}
            AND received_minor = ${expected.receivedMinor}::bigint
          RETURNING 1
        `.pipe(Effect.map((rows) => rows.length > 0), inTenant(tenantId), boundary),
      listUnderpaid: (tenantId, { limit }) =>
        sql`
          SELECT ${columns} FROM payment_orders
          WHERE status = 'underpaid' AND ${
          Option.match(tenantId, { onNone: () => sql`TRUE`, onSome: (id) => sql`tenant_id = ${id}` })
        }
          ORDER BY settled_at, id LIMIT ${limit}
        `.pipe(decodeOrders, scopeOf(tenantId), boundary),
      hold: (transfer) =>
        sql`
          INSERT INTO held_transfers (${held})
          VALUES (${transfer.tenantId}, ${transfer.transactionId}, ${transfer.orderId}::uuid,
                  ${transfer.amount.minor}::bigint, ${transfer.amount.currency}, ${transfer.reason},
                  ${instantParam(transfer.occurredAt)}, ${instantParam(transfer.heldAt)}, ${transfer.status},
                  ${nullableInstantParam(transfer.resolvedAt)}::timestamptz, ${transfer.resolvedBy})
          ON CONFLICT (tenant_id, transaction_id) DO NOTHING
        `.pipe(Effect.asVoid, inTenant(transfer.tenantId), boundary),
      findHeld: (tenantId, transactionId) =>
        sql`
          SELECT ${held} FROM held_transfers WHERE tenant_id = ${tenantId} AND transaction_id = ${transactionId}
        `.pipe(decodeHeld, inTenant(tenantId), boundary),
      listHeld: (tenantId, { limit }) =>
        sql`
          SELECT ${held} FROM held_transfers
          WHERE status = 'held' AND ${
          Option.match(tenantId, { onNone: () => sql`TRUE`, onSome: (id) => sql`tenant_id = ${id}` })
        }
          ORDER BY held_at, transaction_id COLLATE "C" LIMIT ${limit}
        `.pipe(decodeHelds, scopeOf(tenantId), boundary),
      resolveHeld: (tenantId, transactionId, resolution) =>
        sql`
          UPDATE held_transfers SET status = ${resolution.status}, resolved_at = ${instantParam(resolution.resolvedAt)},
            resolved_by = ${resolution.resolvedBy}
          WHERE tenant_id = ${tenantId} AND transaction_id = ${transactionId} AND status = 'held'
          RETURNING 1
        `.pipe(Effect.map((rows) => rows.length > 0), inTenant(tenantId), boundary),
      count: (tenantId) =>
        sql<{ n: number }>`SELECT count(*)::int AS n FROM payment_orders WHERE tenant_id = ${tenantId}`.pipe(
          Effect.map(([row]) => row?.n ?? 0),
          inTenant(tenantId),
          boundary
        )
    })
  })
)
