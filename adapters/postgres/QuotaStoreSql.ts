import { SqlClient } from "@effect/sql"
import { Data, DateTime, Effect, Layer } from "effect"
import {
  compareCounters,
  type ConsumeRequest,
  type ConsumeResult,
  type CounterCharge,
  counterCharges,
  QuotaStore,
  ReservationNotFound,
  settledAmount,
  TenantId,
  usageByMeter,
  usageDay,
  windowStart
} from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { instantParam, nullableInstantParam } from "./rows.js"
import { asPlatform, inTenant } from "./TenantScope.js"

/**
 * QuotaStore on Postgres (server or PGlite), exact under any concurrency.
 * (Over 300 lines: charge, close and their lock order are one protocol, read
 * together; split, the order below would be spread over files.)
 *
 * - a charge is ONE conditional upsert of its counter (`... DO UPDATE SET
 *   used = c.used + n WHERE c.used + n <= limit`): the row lock it takes makes
 *   the check and the increment one step, so no interleaving overshoots;
 * - all of a request's charges, its idempotency key and its daily usage are
 *   written in one transaction; a denial rolls it all back;
 * - the idempotency key is inserted first: a second request with the same key
 *   waits on it until the first commits (then answers its outcome) or rolls
 *   back (then is decided afresh);
 * - locks are taken in one order: the key, then per counter in
 *   `compareCounters` order its expired holds and then the counter row, then
 *   daily usage rows by meter; commit and release first lock their own
 *   (unexpired) holds, which no request charging counters touches. Requests
 *   therefore never wait for each other in a cycle.
 *
 * Consume and reserve commit asynchronously (synchronous_commit off, for
 * their own transaction only): a hot counter's requests queue on its row lock, and
 * waiting for the WAL flush while holding it would cap a guild at one request
 * per disk flush. The price: if the server crashes, up to the last ~0.6 s of
 * granted charges may be lost (counted as never made); nothing else about
 * exactness changes. Commit and release stay durable. See ADR 020.
 *
 * Every number is sent with an explicit cast: untyped parameters compared with
 * each other would be resolved as text.
 */

/** A denial, failing the transaction so it rolls back; answered as Exhausted outside it. */
class Denied extends Data.TaggedError("Denied")<{ readonly result: ConsumeResult }> {}

interface CounterRef {
  readonly meter: string
  readonly scopeKey: string
  readonly windowStart: DateTime.Utc
}

interface HoldRow {
  readonly meter: string
  readonly scope_key: string
  readonly window_start: Date
  readonly guild_id: string | null
  readonly amount: string
  readonly limit_value: string
}

export const QuotaStoreSql = Layer.effect(
  QuotaStore,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)
    const counterIs = (tenantId: TenantId, counter: CounterRef) =>
      sql`tenant_id = ${tenantId}::uuid AND meter = ${counter.meter}::text AND scope_key = ${counter.scopeKey}::text
          AND window_start = ${instantParam(counter.windowStart)}::timestamptz`

    /**
     * Gives back the counter's holds expired at `now`: deleting them locks
     * them, so two requests never give back the same hold. Locks the counter
     * only when there was something to give back. Answers how many holds.
     */
    const giveBackExpired = (tenantId: TenantId, counter: CounterRef, now: DateTime.Utc) =>
      Effect.map(
        sql<{ holds: number }>`
          WITH expired AS (
            DELETE FROM quota_holds
            WHERE ${counterIs(tenantId, counter)} AND expires_at <= ${instantParam(now)}::timestamptz
            RETURNING amount
          ), released AS (SELECT sum(amount) AS amount, count(*)::int AS holds FROM expired)
          UPDATE quota_counters SET used = used - released.amount
          FROM released
          WHERE released.amount IS NOT NULL AND ${counterIs(tenantId, counter)}
          RETURNING released.holds
        `,
        (rows) => rows[0]?.holds ?? 0
      )

    /**
     * The one atomic conditional statement per charge: gives back the
     * counter's expired holds (deleting them locks them first, so two requests
     * never give back the same hold) and adds `amount` if it then fits, in one
     * round trip. `used` is null when it does not fit; `released` is what the
     * expired holds gave back (rolled back with the request if it is denied).
     */
    const chargeCounter = (tenantId: TenantId, charge: CounterCharge, now: DateTime.Utc) =>
      Effect.map(
        sql<{ used: string | null; released: string }>`
          WITH expired AS (
            DELETE FROM quota_holds
            WHERE ${counterIs(tenantId, charge)} AND expires_at <= ${instantParam(now)}::timestamptz
            RETURNING amount
          ), released AS (SELECT coalesce(sum(amount), 0)::bigint AS amount FROM expired),
          charged AS (
            INSERT INTO quota_counters AS c (tenant_id, meter, scope_key, window_start, resets_at, used)
            SELECT ${tenantId}::uuid, ${charge.meter}::text, ${charge.scopeKey}::text,
                   ${instantParam(charge.windowStart)}::timestamptz,
                   ${nullableInstantParam(charge.resetsAt)}::timestamptz, ${charge.amount}::bigint
            FROM released
            WHERE ${charge.limit}::bigint < 0 OR ${charge.amount}::bigint <= ${charge.limit}::bigint
            ON CONFLICT (tenant_id, meter, scope_key, window_start) DO UPDATE
              SET used = c.used - (SELECT amount FROM released) + excluded.used
              WHERE ${charge.limit}::bigint < 0
                 OR c.used - (SELECT amount FROM released) + excluded.used <= ${charge.limit}::bigint
            RETURNING used
          )
          SELECT (SELECT used FROM charged) AS used, amount AS released FROM released
        `,
        ([row]) => ({ granted: row!.used !== null, released: Number(row!.released) })
      )

    const usedOf = (tenantId: TenantId, counter: CounterRef) =>
      Effect.map(
        sql<{ used: string }>`SELECT used FROM quota_counters WHERE ${counterIs(tenantId, counter)}`,
        (rows) => Number(rows[0]?.used ?? 0)
      )

    const countDaily = (
      tenantId: TenantId,
      guildId: string | null,
      now: DateTime.Utc,
      granted: ReadonlyArray<{ readonly meter: string; readonly amount: number }>
    ) =>
      guildId === null ? Effect.void : Effect.forEach(usageByMeter(granted), ({ amount, meter }) =>
        sql`
          INSERT INTO quota_daily_usage AS d (tenant_id, guild_id, day, meter, used)
          VALUES (${tenantId}::uuid, ${guildId}::text, ${usageDay(now)}::date, ${meter}::text, ${amount}::bigint)
          ON CONFLICT (tenant_id, guild_id, day, meter) DO UPDATE SET used = d.used + excluded.used
        `, { discard: true })

    /** consume (hold === null) and reserve. */
    const charge = (
      request: ConsumeRequest,
      hold: { readonly reservationId: string; readonly expiresAt: DateTime.Utc } | null
    ): Effect.Effect<ConsumeResult> => {
      const { now, tenantId } = request
      return Effect.gen(function*() {
        const claimed = yield* sql`
          INSERT INTO quota_idempotency_keys (tenant_id, idempotency_key, reservation_id, first_used_at)
          SELECT ${tenantId}::uuid, ${request.idempotencyKey}::text, ${hold?.reservationId ?? null}::text,
                 ${instantParam(now)}::timestamptz
          -- Asynchronous commit (see the comment at the top), set in this statement to save a round trip.
          FROM (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous_commit
          ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
          RETURNING 1
        `
        if (claimed.length === 0) {
          const [first] = yield* sql<{ reservation_id: string | null }>`
            SELECT reservation_id FROM quota_idempotency_keys
            WHERE tenant_id = ${tenantId}::uuid AND idempotency_key = ${request.idempotencyKey}::text
          `
          const reservationId = first?.reservation_id ?? null
          return reservationId === null
            ? { _tag: "Granted", duplicate: true } as const
            : { _tag: "Granted", duplicate: true, reservationId } as const
        }

        const charges = counterCharges(request.charges, now)
        for (const counter of charges) {
          const { granted, released } = yield* chargeCounter(tenantId, counter, now)
          if (!granted) {
            // The denied upsert still locked the row: this read is current. The expired holds are gone but
            // not yet subtracted (the whole request is rolled back).
            const used = (yield* usedOf(tenantId, counter)) - released
            return yield* new Denied({
              result: {
                _tag: "Exhausted",
                meter: counter.meter,
                limit: counter.limit,
                used,
                resetsAt: counter.resetsAt
              }
            })
          }
          if (hold) {
            yield* sql`
              INSERT INTO quota_holds
                (tenant_id, reservation_id, meter, scope_key, window_start, guild_id, amount, limit_value, expires_at)
              VALUES (${tenantId}::uuid, ${hold.reservationId}::text, ${counter.meter}::text,
                      ${counter.scopeKey}::text, ${instantParam(counter.windowStart)}::timestamptz,
                      ${request.guildId}::text, ${counter.amount}::bigint, ${counter.limit}::bigint,
                      ${instantParam(hold.expiresAt)}::timestamptz)
            `
          }
        }
        if (hold) return { _tag: "Granted", duplicate: false, reservationId: hold.reservationId } as const
        yield* countDaily(tenantId, request.guildId, now, charges)
        return { _tag: "Granted", duplicate: false } as const
      }).pipe(
        inTenant(tenantId),
        Effect.catchTag("Denied", (denied) => Effect.succeed(denied.result)),
        boundary
      )
    }

    /**
     * Takes an open reservation's holds off their counters, each settled at
     * `settle(used, held, limit)` (0 gives the hold back), and counts what was
     * settled as the day's usage. Answers the settled amounts.
     */
    const close = (
      tenantId: TenantId,
      reservationId: string,
      now: DateTime.Utc,
      settle: (used: number, held: number, limit: number) => number
    ): Effect.Effect<ReadonlyArray<number>, ReservationNotFound> =>
      Effect.gen(function*() {
        // Locking its holds first makes a second commit or release of the reservation wait, then find none.
        const holds = yield* sql<HoldRow>`
          SELECT meter, scope_key, window_start, guild_id, amount, limit_value FROM quota_holds
          WHERE tenant_id = ${tenantId}::uuid AND reservation_id = ${reservationId}::text
            AND expires_at > ${instantParam(now)}::timestamptz
          FOR UPDATE
        `
        if (holds.length === 0) return yield* ReservationNotFound.of(reservationId)
        const counters = holds
          .map((row) => ({
            meter: row.meter,
            scopeKey: row.scope_key,
            windowStart: DateTime.unsafeMake(row.window_start),
            held: Number(row.amount),
            limit: Number(row.limit_value)
          }))
          .sort(compareCounters)
        const settled: Array<{ readonly meter: string; readonly amount: number }> = []
        for (const counter of counters) {
          yield* giveBackExpired(tenantId, counter, now)
          const [row] = yield* sql<{ used: string }>`
            SELECT used FROM quota_counters WHERE ${counterIs(tenantId, counter)} FOR UPDATE
          `
          const amount = settle(Number(row!.used), counter.held, counter.limit)
          yield* sql`
            UPDATE quota_counters SET used = used + ${amount - counter.held}::bigint
            WHERE ${counterIs(tenantId, counter)}
          `
          settled.push({ meter: counter.meter, amount })
        }
        yield* sql`
          DELETE FROM quota_holds WHERE tenant_id = ${tenantId}::uuid AND reservation_id = ${reservationId}::text
        `
        yield* countDaily(tenantId, holds[0]!.guild_id, now, settled.filter(({ amount }) => amount > 0))
        return settled.map(({ amount }) => amount)
      }).pipe(
        inTenant(tenantId),
        boundary
      )

    return QuotaStore.of({
      consume: (request) => charge(request, null),
      reserve: (request) => charge(request, { reservationId: request.reservationId, expiresAt: request.expiresAt }),
      commit: (tenantId, reservationId, amount, now) =>
        Effect.map(
          close(tenantId, reservationId, now, (used, held, limit) => settledAmount({ used, held, limit }, amount)),
          (settled) => ({ settled: Math.min(...settled) })
        ),
      release: (tenantId, reservationId, now) => Effect.asVoid(close(tenantId, reservationId, now, () => 0)),
      dailyUsage: (tenantId, guildId, from, to) =>
        sql<{ day: string; meter: string; used: string }>`
          SELECT to_char(day, 'YYYY-MM-DD') AS day, meter, used FROM quota_daily_usage
          WHERE tenant_id = ${tenantId}::uuid AND guild_id = ${guildId}::text
            AND day BETWEEN ${from}::date AND ${to}::date
          ORDER BY day, meter COLLATE "C"
        `.pipe(
          Effect.map((rows) => rows.map((row) => ({ day: row.day, meter: row.meter, used: Number(row.used) }))),
          inTenant(tenantId),
          boundary
        ),
      currentUsage: (tenantId, { meter, scopeKey, window }, now) => {
        const counter = { meter, scopeKey, windowStart: windowStart(window, now) }
        // Expired holds not yet given back are not usage.
        return sql<{ used: string }>`
          SELECT c.used - coalesce((
            SELECT sum(amount) FROM quota_holds
            WHERE ${counterIs(tenantId, counter)} AND expires_at <= ${instantParam(now)}::timestamptz
          ), 0) AS used
          FROM quota_counters c WHERE ${counterIs(tenantId, counter)}
        `.pipe(Effect.map((rows) => Number(rows[0]?.used ?? 0)), inTenant(tenantId), boundary)
      },
      sweep: (now, forgetKeysBefore) =>
        Effect.gen(function*() {
          const expired = yield* asPlatform(
            sql<{ tenant_id: string; meter: string; scope_key: string; window_start: Date }>`
            SELECT DISTINCT tenant_id, meter, scope_key, window_start FROM quota_holds
            WHERE expires_at <= ${instantParam(now)}::timestamptz
          `
          )
          // One short transaction per counter, locking as requests do.
          const released = yield* Effect.forEach(expired, (row) =>
            inTenant(TenantId.make(row.tenant_id))(
              giveBackExpired(
                TenantId.make(row.tenant_id),
                { meter: row.meter, scopeKey: row.scope_key, windowStart: DateTime.unsafeMake(row.window_start) },
                now
              )
            ))
          const [deleted] = yield* asPlatform(sql<{ count: number }>`
            WITH deleted AS (
              DELETE FROM quota_counters c
              WHERE c.resets_at <= ${instantParam(now)}::timestamptz AND NOT EXISTS (
                SELECT 1 FROM quota_holds h
                WHERE h.tenant_id = c.tenant_id AND h.meter = c.meter AND h.scope_key = c.scope_key
                  AND h.window_start = c.window_start
              )
              RETURNING 1
            ) SELECT count(*)::int AS count FROM deleted
          `)
          const [forgotten] = yield* asPlatform(sql<{ count: number }>`
            WITH forgotten AS (
              DELETE FROM quota_idempotency_keys WHERE first_used_at < ${instantParam(forgetKeysBefore)}::timestamptz
              RETURNING 1
            ) SELECT count(*)::int AS count FROM forgotten
          `)
          return {
            releasedHolds: released.reduce((sum, holds) => sum + holds, 0),
            deletedCounters: deleted!.count,
            forgottenKeys: forgotten!.count
          }
        }).pipe(boundary)
    })
  })
)
