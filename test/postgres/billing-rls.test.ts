import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { assert, describe, layer } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option, Redacted } from "effect"
import {
  asPlatform,
  BillingLedgerSql,
  inTenant,
  JobsSql,
  PaidRoleRepoSql,
  PaymentOrderRepoSql,
  PaymentSettingsRepoSql,
  RepositoriesSql
} from "../../adapters/postgres/index.js"
import {
  BillingLedger,
  Currency,
  GuildId,
  PaidRole,
  PaidRoleRepo,
  PaymentOrder,
  PaymentOrderRepo,
  PaymentSettingsRepo,
  RoleId,
  SubscriptionState,
  TenantId,
  TenantRepo,
  UserId
} from "../../core/index.js"
import { at, install, makeTenant } from "../support/fixtures.js"
import { sqlDatabases } from "../support/stores.js"

const tenantA = TenantId.make("0a000000-0000-4000-8000-0000000000a8")
const tenantB = TenantId.make("0b000000-0000-4000-8000-0000000000b8")
const guildA = GuildId.make("100000000000000081")
const guildB = GuildId.make("100000000000000082")
const roleId = RoleId.make("400000000000000081")
const userId = UserId.make("500000000000000081")

/** A body as a provider sends it: odd spacing, key order and escapes that a JSON round trip would change. */
const rawBody = `{"id": "evt_raw",  "type":"invoice.paid","amount":1e3,"note":"caf\\u00e9 \\"quoted\\"","z":1,"a":2}\n`

/** Each tenant with a receipt, a subscription, a paid role, an order and settings; and one tenantless receipt. */
const seed = Effect.gen(function*() {
  const ledger = yield* BillingLedger
  for (const [tenantId, guildId] of [[tenantA, guildA], [tenantB, guildB]] as const) {
    yield* (yield* TenantRepo).insert(makeTenant({ id: tenantId, planKey: "enterprise" }))
    yield* install({ tenantId, guildId })
    const subject = { _tag: "MemberRole", tenantId, guildId, roleId, userId } as const
    const state = SubscriptionState.make({
      subject,
      status: "active",
      provider: "polar",
      correlationId: "sub_1",
      customerId: null,
      planKey: null,
      currentPeriodEnd: null,
      cancelAtPeriodEnd: false,
      version: 1,
      revision: 1,
      roleGranted: true,
      readOnly: false,
      graceEndsAt: null,
      readOnlyEndsAt: null,
      updatedAt: at(1_000)
    })
    yield* ledger.record({
      receipt: {
        provider: "polar",
        providerEventId: `evt_${tenantId}`,
        type: "order.paid",
        tenantId,
        payload: rawBody,
        receivedAt: at(1_000)
      },
      outcome: "applied",
      note: null,
      transition: Option.some({ subject, decide: () => ({ transition: { state, effects: [] }, jobs: [] }) }),
      jobs: []
    })
    yield* (yield* PaidRoleRepo).upsert(PaidRole.make({
      tenantId,
      guildId,
      roleId,
      name: "Supporter",
      price: { minor: 99_000, currency: Currency.make("VND") },
      stripePriceId: null,
      polarProductId: null,
      sepayPassDays: 30,
      graceDays: 3,
      createdAt: at(0),
      updatedAt: at(0)
    }))
    yield* (yield* PaymentOrderRepo).insert(PaymentOrder.make({
      id: tenantId === tenantA ? "0a000000-0000-4000-8000-00000000aa01" : "0b000000-0000-4000-8000-00000000bb01",
      tenantId,
      guildId,
      roleId,
      userId,
      code: "GHSAME0001",
      amountDue: { minor: 99_000, currency: Currency.make("VND") },
      accountNumber: "0123456789",
      bankCode: "MBBank",
      passDays: 30,
      status: "pending",
      receivedMinor: 0,
      overpaidMinor: 0,
      transactionId: null,
      createdAt: at(0),
      expiresAt: at(3_600_000),
      settledAt: null
    }))
    yield* (yield* PaymentSettingsRepo).put({
      tenantId,
      polar: { accessToken: Redacted.make(`token-${tenantId}`), webhookSecret: Redacted.make("secret") },
      sepay: null
    })
  }
  yield* ledger.record({
    receipt: {
      provider: "stripe",
      providerEventId: "evt_operator",
      type: "account.updated",
      tenantId: null,
      payload: rawBody,
      receivedAt: at(2_000)
    },
    outcome: "ignored",
    note: "operator account event",
    transition: Option.none(),
    jobs: []
  })
})

const tables = ["webhook_events", "subscriptions", "paid_roles", "payment_orders", "payment_settings"]

/** The tenant of every row an unfiltered SELECT returns (null for a tenantless receipt), sorted. */
const visibleOwners = (table: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ owner: string | null }>`SELECT tenant_id AS owner FROM ${sql(table)}`,
      (rows) => rows.map((row) => row.owner).sort()
    ))

const databaseMessage = (exit: Exit.Exit<unknown, SqlError>): string => {
  if (Exit.isSuccess(exit)) return "succeeded"
  const error = Cause.squash(exit.cause)
  return error instanceof SqlError && error.cause instanceof Error ? error.cause.message : String(error)
}

for (const database of await sqlDatabases()) {
  describe(`billing and payments row-level security on ${database.name}`, () => {
    const Seeded = Layer.effectDiscard(Effect.orDie(seed)).pipe(
      Layer.provideMerge(
        Layer.mergeAll(
          RepositoriesSql,
          BillingLedgerSql.pipe(Layer.provide(JobsSql)),
          PaidRoleRepoSql,
          PaymentOrderRepoSql,
          PaymentSettingsRepoSql
        )
      ),
      Layer.provideMerge(database.layer())
    )

    layer(Seeded, { timeout: 60_000 })((it) => {
      it.effect("an unfiltered SELECT in a tenant's context returns only that tenant's rows", () =>
        Effect.gen(function*() {
          for (const table of tables) {
            assert.deepStrictEqual(yield* inTenant(tenantA)(visibleOwners(table)), [tenantA], table)
            assert.deepStrictEqual(yield* inTenant(tenantB)(visibleOwners(table)), [tenantB], table)
          }
        }))

      it.effect("the platform context sees every tenant's rows, and the tenantless receipt only there", () =>
        Effect.gen(function*() {
          for (const table of tables.filter((table) => table !== "webhook_events")) {
            assert.deepStrictEqual(yield* asPlatform(visibleOwners(table)), [tenantA, tenantB], table)
          }
          assert.deepStrictEqual(yield* asPlatform(visibleOwners("webhook_events")), [tenantA, tenantB, null])
        }))

      it.effect("writing another tenant's billing or payment rows in a tenant's context is refused", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const attempts = [
            sql`INSERT INTO webhook_events (provider, provider_event_id, type, tenant_id, payload, outcome, received_at)
                VALUES ('stripe', 'evt_sneaky', 'x', ${tenantB}, '{}', 'ignored', now())`,
            sql`INSERT INTO webhook_events (provider, provider_event_id, type, tenant_id, payload, outcome, received_at)
                VALUES ('stripe', 'evt_sneaky_null', 'x', NULL, '{}', 'ignored', now())`,
            sql`INSERT INTO subscriptions (tenant_id, subject_key, status, provider, correlation_id, state, revision,
                                           updated_at)
                VALUES (${tenantB}, 'plan', 'active', 'stripe', 'sub_x', '{}', 1, now())`,
            sql`INSERT INTO paid_roles (tenant_id, guild_id, role_id, name, price_minor, currency, grace_days,
                                        created_at, updated_at)
                VALUES (${tenantB}, ${guildB}, '400000000000000089', 'Sneaky', 1, 'USD', 0, now(), now())`,
            sql`INSERT INTO payment_orders (tenant_id, id, guild_id, role_id, user_id, code, amount_minor, currency,
                                            account_number, bank_code, pass_days, status, received_minor,
                                            overpaid_minor, created_at, expires_at)
                VALUES (${tenantB}, '0b000000-0000-4000-8000-00000000bb09', ${guildB}, ${roleId}, ${userId},
                        'GHSNEAKY01', 1, 'VND', '1', 'MB', 1, 'pending', 0, 0, now(), now())`,
            sql`UPDATE payment_settings SET tenant_id = ${tenantB} WHERE tenant_id = ${tenantA}`
          ]
          for (const attempt of attempts) {
            const exit = yield* Effect.exit(inTenant(tenantA)(attempt))
            assert.match(databaseMessage(exit), /violates row-level security policy/)
          }
          // Updates and deletes of B's rows touch nothing: the rows are invisible.
          const touched = yield* inTenant(tenantA)(Effect.all([
            sql`UPDATE webhook_events SET outcome = 'ignored' WHERE tenant_id = ${tenantB} OR tenant_id IS NULL
                RETURNING 1`,
            sql`UPDATE subscriptions SET status = 'ended' WHERE tenant_id = ${tenantB} RETURNING 1`,
            sql`DELETE FROM paid_roles WHERE tenant_id = ${tenantB} RETURNING 1`,
            sql`UPDATE payment_orders SET status = 'paid' WHERE tenant_id = ${tenantB} RETURNING 1`,
            sql`UPDATE payment_settings SET polar_access_token = 'stolen' WHERE tenant_id = ${tenantB} RETURNING 1`
          ]))
          assert.deepStrictEqual(touched, [[], [], [], [], []])
          assert.deepStrictEqual(
            yield* inTenant(tenantB)(sql`SELECT status FROM payment_orders`),
            [{ status: "pending" }]
          )
          const settings = Option.getOrThrow(yield* (yield* PaymentSettingsRepo).get(tenantB))
          assert.strictEqual(Redacted.value(settings.polar!.accessToken), `token-${tenantB}`)
        }))

      it.effect("a receipt's raw body is kept exactly as received", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const rows = yield* asPlatform(sql<{ payload: string }>`SELECT payload FROM webhook_events`)
          assert.deepStrictEqual(rows.map((row) => row.payload), [rawBody, rawBody, rawBody])
        }))
    })
  })
}
