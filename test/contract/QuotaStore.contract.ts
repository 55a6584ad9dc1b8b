import { assert, layer } from "@effect/vitest"
import { DateTime, Effect, FastCheck } from "effect"
import {
  type Charge,
  type ConsumeResult,
  type GuildId,
  QuotaStore,
  type TenantId,
  TenantRepo,
  type Window
} from "../../core/index.js"
import { makeTenant, newGuildId } from "../support/fixtures.js"
import type { Store } from "../support/stores.js"

const newTenant = Effect.flatMap(TenantRepo, (tenants) => {
  const tenant = makeTenant()
  return Effect.as(tenants.insert(tenant), tenant.id)
})

let keys = 0
const newKey = () => `key-${++keys}`

/** 2024-02-29T10:00:30Z: a leap day, half a minute into its minute. */
const noon = DateTime.unsafeMake("2024-02-29T10:00:30Z")
const later = (seconds: number, from = noon) => DateTime.addDuration(from, `${seconds} seconds`)

const commands = (guildId: GuildId, limit: number, amount = 1): Charge => ({
  meter: "commands",
  scopeKey: guildId,
  window: "minute",
  limit,
  amount
})

const tokens = (guildId: GuildId, limit: number, amount: number): Charge => ({
  meter: "ai_tokens",
  scopeKey: guildId,
  window: "day",
  limit,
  amount
})

interface Call {
  readonly tenantId: TenantId
  readonly guildId: GuildId | null
  readonly charges: ReadonlyArray<Charge>
  readonly key?: string
  readonly now?: DateTime.Utc
}

const consume = (call: Call) =>
  Effect.flatMap(QuotaStore, (store) =>
    store.consume({
      tenantId: call.tenantId,
      guildId: call.guildId,
      charges: call.charges,
      idempotencyKey: call.key ?? newKey(),
      now: call.now ?? noon
    }))

const reserve = (call: Call & { readonly reservationId: string; readonly expiresAt: DateTime.Utc }) =>
  Effect.flatMap(QuotaStore, (store) =>
    store.reserve({
      tenantId: call.tenantId,
      guildId: call.guildId,
      charges: call.charges,
      idempotencyKey: call.key ?? newKey(),
      now: call.now ?? noon,
      reservationId: call.reservationId,
      expiresAt: call.expiresAt
    }))

const usage = (tenantId: TenantId, charge: Charge, now = noon) =>
  Effect.flatMap(QuotaStore, (store) => store.currentUsage(tenantId, charge, now))

const today = (tenantId: TenantId, guildId: GuildId) =>
  Effect.flatMap(QuotaStore, (store) => store.dailyUsage(tenantId, guildId, "2024-02-29", "2024-02-29"))

const granted: ConsumeResult = { _tag: "Granted", duplicate: false }

let reservations = 0
const newReservationId = () => `reservation-${++reservations}`

const failureTag = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(effect), (error) => error._tag)

export const quotaStoreContract = (store: Store<QuotaStore | TenantRepo>) =>
  layer(store.layer(), { timeout: 60_000 })(`QuotaStore on ${store.name}`, (it) => {
    it.effect("grants up to the limit, then answers Exhausted with the usage and when the window resets", () =>
      Effect.gen(function*() {
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        for (let i = 0; i < 3; i++) {
          assert.deepStrictEqual(yield* consume({ tenantId, guildId, charges: [commands(guildId, 3)] }), granted)
        }
        assert.deepStrictEqual(yield* consume({ tenantId, guildId, charges: [commands(guildId, 3)] }), {
          _tag: "Exhausted",
          meter: "commands",
          limit: 3,
          used: 3,
          resetsAt: DateTime.unsafeMake("2024-02-29T10:01:00Z")
        })
        assert.strictEqual(yield* usage(tenantId, commands(guildId, 3)), 3)
        // The next minute is a new window.
        const nextMinute = later(30)
        assert.deepStrictEqual(
          yield* consume({ tenantId, guildId, charges: [commands(guildId, 3)], now: nextMinute }),
          granted
        )
        assert.strictEqual(yield* usage(tenantId, commands(guildId, 3), nextMinute), 1)
      }))

    it.effect("an amount larger than the limit is denied even on a fresh counter; limit 0 denies everything", () =>
      Effect.gen(function*() {
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        const tooMuch = yield* consume({ tenantId, guildId, charges: [tokens(guildId, 100, 101)] })
        assert.deepStrictEqual(tooMuch, {
          _tag: "Exhausted",
          meter: "ai_tokens",
          limit: 100,
          used: 0,
          resetsAt: DateTime.unsafeMake("2024-03-01T00:00:00Z")
        })
        const none = yield* consume({ tenantId, guildId, charges: [commands(guildId, 0)] })
        assert.strictEqual(none._tag, "Exhausted")
        assert.deepStrictEqual(yield* today(tenantId, guildId), [])
      }))

    it.effect("unlimited (-1) grants anything and still counts it", () =>
      Effect.gen(function*() {
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        assert.deepStrictEqual(
          yield* consume({ tenantId, guildId, charges: [tokens(guildId, -1, 1_000_000)] }),
          granted
        )
        assert.deepStrictEqual(yield* consume({ tenantId, guildId, charges: [tokens(guildId, -1, 5)] }), granted)
        assert.strictEqual(yield* usage(tenantId, tokens(guildId, -1, 0)), 1_000_005)
      }))

    it.effect("a repeated idempotency key consumes nothing twice and answers Granted again", () =>
      Effect.gen(function*() {
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        const key = newKey()
        assert.deepStrictEqual(yield* consume({ tenantId, guildId, charges: [commands(guildId, 5, 2)], key }), granted)
        const again = yield* consume({ tenantId, guildId, charges: [commands(guildId, 5, 2)], key, now: later(1) })
        assert.deepStrictEqual(again, { _tag: "Granted", duplicate: true })
        assert.strictEqual(yield* usage(tenantId, commands(guildId, 5)), 2)
        assert.deepStrictEqual(yield* today(tenantId, guildId), [{ day: "2024-02-29", meter: "commands", used: 2 }])
        // Keys belong to their tenant.
        const otherTenant = yield* newTenant
        assert.deepStrictEqual(
          yield* consume({ tenantId: otherTenant, guildId, charges: [commands(guildId, 5, 2)], key }),
          granted
        )
      }))

    it.effect("concurrent requests with one idempotency key consume once", () =>
      Effect.gen(function*() {
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        const key = newKey()
        const results = yield* Effect.all(
          Array.from({ length: 8 }, () => consume({ tenantId, guildId, charges: [commands(guildId, 100)], key })),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(results.filter((r) => r._tag === "Granted" && !r.duplicate).length, 1)
        assert.isTrue(results.every((r) => r._tag === "Granted"))
        assert.strictEqual(yield* usage(tenantId, commands(guildId, 100)), 1)
      }))

    it.effect("a denial records no idempotency key: the same key is decided afresh later", () =>
      Effect.gen(function*() {
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        const key = newKey()
        yield* consume({ tenantId, guildId, charges: [commands(guildId, 1)] })
        assert.strictEqual(
          (yield* consume({ tenantId, guildId, charges: [commands(guildId, 1)], key }))._tag,
          "Exhausted"
        )
        assert.deepStrictEqual(
          yield* consume({ tenantId, guildId, charges: [commands(guildId, 1)], key, now: later(60) }),
          granted
        )
      }))

    it.effect("charges of one request are all granted or none", () =>
      Effect.gen(function*() {
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        const cooldown: Charge = {
          meter: "cooldown:xp rank",
          scopeKey: "300000000000000009",
          window: { seconds: 30 },
          limit: 1,
          amount: 1
        }
        assert.deepStrictEqual(
          yield* consume({ tenantId, guildId, charges: [commands(guildId, 10), cooldown] }),
          granted
        )
        const denied = yield* consume({ tenantId, guildId, charges: [commands(guildId, 10), cooldown] })
        assert.deepStrictEqual(denied, {
          _tag: "Exhausted",
          meter: "cooldown:xp rank",
          limit: 1,
          used: 1,
          resetsAt: DateTime.unsafeMake("2024-02-29T10:01:00Z")
        })
        // The commands charge that fitted was not kept.
        assert.strictEqual(yield* usage(tenantId, commands(guildId, 10)), 1)
        assert.deepStrictEqual(yield* today(tenantId, guildId), [
          { day: "2024-02-29", meter: "commands", used: 1 },
          { day: "2024-02-29", meter: "cooldown:xp rank", used: 1 }
        ])
      }))

    it.effect("charges of one counter in one request add up", () =>
      Effect.gen(function*() {
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        const denied = yield* consume({
          tenantId,
          guildId,
          charges: [commands(guildId, 3, 2), commands(guildId, 3, 2)]
        })
        assert.deepStrictEqual(denied._tag, "Exhausted")
        assert.deepStrictEqual(
          yield* consume({ tenantId, guildId, charges: [commands(guildId, 3, 1), commands(guildId, 3, 2)] }),
          granted
        )
        assert.strictEqual(yield* usage(tenantId, commands(guildId, 3)), 3)
      }))

    it.effect("counters are per tenant, meter, scope key and window; lifetime never resets", () =>
      Effect.gen(function*() {
        const tenantId = yield* newTenant
        const otherTenant = yield* newTenant
        const guildId = newGuildId()
        const lifetime: Charge = { meter: "trials", scopeKey: tenantId, window: "lifetime", limit: 1, amount: 1 }
        yield* consume({ tenantId, guildId, charges: [commands(guildId, 1), lifetime] })
        assert.deepStrictEqual(
          yield* consume({ tenantId: otherTenant, guildId, charges: [commands(guildId, 1)] }),
          granted
        )
        assert.deepStrictEqual(
          yield* consume({ tenantId, guildId: null, charges: [commands(newGuildId(), 1)] }),
          granted
        )
        const yearsLater = DateTime.unsafeMake("2031-01-01T00:00:00Z")
        assert.deepStrictEqual(yield* consume({ tenantId, guildId, charges: [lifetime], now: yearsLater }), {
          _tag: "Exhausted",
          meter: "trials",
          limit: 1,
          used: 1,
          resetsAt: null
        })
      }))

    it.effect("a hold counts as used; commit of a smaller amount gives the rest back and counts as daily usage", () =>
      Effect.gen(function*() {
        const store = yield* QuotaStore
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        const reservationId = newReservationId()
        const held = yield* reserve({
          tenantId,
          guildId,
          charges: [tokens(guildId, 100, 60)],
          reservationId,
          expiresAt: later(60)
        })
        assert.deepStrictEqual(held, { _tag: "Granted", duplicate: false, reservationId })
        assert.strictEqual(yield* usage(tenantId, tokens(guildId, 100, 0)), 60)
        assert.deepStrictEqual(yield* today(tenantId, guildId), [], "a hold is not usage yet")
        assert.strictEqual(
          (yield* consume({ tenantId, guildId, charges: [tokens(guildId, 100, 41)] }))._tag,
          "Exhausted"
        )
        assert.deepStrictEqual(yield* store.commit(tenantId, reservationId, 25, later(10)), { settled: 25 })
        assert.strictEqual(yield* usage(tenantId, tokens(guildId, 100, 0)), 25)
        assert.deepStrictEqual(yield* today(tenantId, guildId), [{ day: "2024-02-29", meter: "ai_tokens", used: 25 }])
        assert.strictEqual(
          yield* failureTag(store.commit(tenantId, reservationId, 25, later(11))),
          "ReservationNotFound"
        )
      }))

    it.effect("commit of a larger amount takes what fits under the limit, never less than the hold", () =>
      Effect.gen(function*() {
        const store = yield* QuotaStore
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        const first = newReservationId()
        yield* reserve({
          tenantId,
          guildId,
          charges: [tokens(guildId, 100, 40)],
          reservationId: first,
          expiresAt: later(60)
        })
        assert.deepStrictEqual(yield* store.commit(tenantId, first, 55, noon), { settled: 55 })
        const second = newReservationId()
        yield* reserve({
          tenantId,
          guildId,
          charges: [tokens(guildId, 100, 30)],
          reservationId: second,
          expiresAt: later(60)
        })
        // 55 used besides this hold: at most 45 fit.
        assert.deepStrictEqual(yield* store.commit(tenantId, second, 80, noon), { settled: 45 })
        assert.strictEqual(yield* usage(tenantId, tokens(guildId, 100, 0)), 100)
        assert.deepStrictEqual(yield* today(tenantId, guildId), [{ day: "2024-02-29", meter: "ai_tokens", used: 100 }])
      }))

    it.effect("release gives the hold back; releasing or committing again fails", () =>
      Effect.gen(function*() {
        const store = yield* QuotaStore
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        const reservationId = newReservationId()
        yield* reserve({ tenantId, guildId, charges: [tokens(guildId, 100, 70)], reservationId, expiresAt: later(60) })
        yield* store.release(tenantId, reservationId, noon)
        assert.strictEqual(yield* usage(tenantId, tokens(guildId, 100, 0)), 0)
        assert.deepStrictEqual(yield* today(tenantId, guildId), [])
        assert.strictEqual(yield* failureTag(store.release(tenantId, reservationId, noon)), "ReservationNotFound")
        assert.strictEqual(yield* failureTag(store.commit(tenantId, reservationId, 1, noon)), "ReservationNotFound")
        // Another tenant cannot settle it.
        const other = newReservationId()
        yield* reserve({
          tenantId,
          guildId,
          charges: [tokens(guildId, 100, 1)],
          reservationId: other,
          expiresAt: later(60)
        })
        assert.strictEqual(yield* failureTag(store.release(yield* newTenant, other, noon)), "ReservationNotFound")
      }))

    it.effect("an expired hold is given back and can no longer be committed", () =>
      Effect.gen(function*() {
        const store = yield* QuotaStore
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        const reservationId = newReservationId()
        yield* reserve({ tenantId, guildId, charges: [tokens(guildId, 100, 90)], reservationId, expiresAt: later(30) })
        assert.strictEqual(yield* usage(tenantId, tokens(guildId, 100, 0), later(29)), 90)
        assert.strictEqual(yield* usage(tenantId, tokens(guildId, 100, 0), later(30)), 0)
        assert.deepStrictEqual(
          yield* consume({ tenantId, guildId, charges: [tokens(guildId, 100, 100)], now: later(31) }),
          granted
        )
        assert.strictEqual(
          yield* failureTag(store.commit(tenantId, reservationId, 10, later(32))),
          "ReservationNotFound"
        )
        assert.strictEqual(yield* usage(tenantId, tokens(guildId, 100, 0), later(33)), 100)
      }))

    it.effect("a reservation holds every charge; a repeated key answers the first reservation", () =>
      Effect.gen(function*() {
        const store = yield* QuotaStore
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        const tenantTokens: Charge = {
          meter: "tenant_ai_tokens",
          scopeKey: tenantId,
          window: "month",
          limit: 1000,
          amount: 50
        }
        const key = newKey()
        const first = newReservationId()
        yield* reserve({
          tenantId,
          guildId,
          charges: [tokens(guildId, 60, 50), tenantTokens],
          key,
          reservationId: first,
          expiresAt: later(60)
        })
        const again = yield* reserve({
          tenantId,
          guildId,
          charges: [tokens(guildId, 60, 50), tenantTokens],
          key,
          reservationId: newReservationId(),
          expiresAt: later(60)
        })
        assert.deepStrictEqual(again, { _tag: "Granted", duplicate: true, reservationId: first })
        assert.strictEqual(yield* usage(tenantId, tenantTokens), 50)
        // The guild's counter caps the settlement at 60; the tenant's takes 70.
        assert.deepStrictEqual(yield* store.commit(tenantId, first, 70, noon), { settled: 60 })
        assert.strictEqual(yield* usage(tenantId, tokens(guildId, 60, 0)), 60)
        assert.strictEqual(yield* usage(tenantId, tenantTokens), 70)
      }))

    it.effect("daily usage is per guild, day and meter, within the requested days", () =>
      Effect.gen(function*() {
        const store = yield* QuotaStore
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        const day = (iso: string) => DateTime.unsafeMake(`${iso}T12:00:00Z`)
        yield* consume({ tenantId, guildId, charges: [commands(guildId, -1, 3)], now: day("2024-02-28") })
        yield* consume({
          tenantId,
          guildId,
          charges: [commands(guildId, -1, 2), tokens(guildId, -1, 7)],
          now: day("2024-02-29")
        })
        yield* consume({ tenantId, guildId, charges: [commands(guildId, -1, 1)], now: day("2024-02-29") })
        yield* consume({ tenantId, guildId, charges: [commands(guildId, -1, 4)], now: day("2024-03-01") })
        yield* consume({ tenantId, guildId: newGuildId(), charges: [commands(guildId, -1, 9)], now: day("2024-02-29") })
        assert.deepStrictEqual(yield* store.dailyUsage(tenantId, guildId, "2024-02-29", "2024-03-01"), [
          { day: "2024-02-29", meter: "ai_tokens", used: 7 },
          { day: "2024-02-29", meter: "commands", used: 3 },
          { day: "2024-03-01", meter: "commands", used: 4 }
        ])
        assert.deepStrictEqual(yield* store.dailyUsage(yield* newTenant, guildId, "2024-01-01", "2024-12-31"), [])
      }))

    it.effect("sweep gives back expired holds, deletes ended counters and forgets old keys", () =>
      Effect.gen(function*() {
        const store = yield* QuotaStore
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        const key = newKey()
        const start = DateTime.unsafeMake("2020-01-01T00:00:10Z")
        yield* consume({ tenantId, guildId, charges: [commands(guildId, 5)], key, now: start })
        yield* reserve({
          tenantId,
          guildId,
          charges: [tokens(guildId, 100, 10)],
          reservationId: newReservationId(),
          now: start,
          expiresAt: later(30, start)
        })
        const swept = yield* store.sweep(later(60, start), later(1, start))
        assert.isAtLeast(swept.releasedHolds, 1)
        assert.isAtLeast(swept.deletedCounters, 1)
        assert.isAtLeast(swept.forgottenKeys, 1)
        assert.strictEqual(yield* usage(tenantId, tokens(guildId, 100, 0), later(60, start)), 0)
        // The key is forgotten: the same request now counts again.
        assert.deepStrictEqual(
          yield* consume({ tenantId, guildId, charges: [commands(guildId, 5)], key, now: start }),
          granted
        )
      }))

    it.effect.prop(
      "concurrent consumers never overshoot one counter and lose no update",
      {
        limit: FastCheck.integer({ min: 0, max: 40 }),
        requests: FastCheck.array(
          FastCheck.record({
            amount: FastCheck.integer({ min: 0, max: 6 }),
            key: FastCheck.integer({ min: 0, max: 50 })
          }),
          { minLength: 1, maxLength: 40 }
        )
      },
      ({ limit, requests }) =>
        Effect.gen(function*() {
          const tenantId = yield* newTenant
          const guildId = newGuildId()
          const keyPrefix = newKey()
          const results = yield* Effect.forEach(
            requests,
            ({ amount, key }) =>
              Effect.map(
                consume({ tenantId, guildId, charges: [tokens(guildId, limit, amount)], key: `${keyPrefix}-${key}` }),
                (result) => ({ result, amount })
              ),
            { concurrency: "unbounded" }
          )
          const grantedTotal = results
            .filter(({ result }) => result._tag === "Granted" && !result.duplicate)
            .reduce((sum, { amount }) => sum + amount, 0)
          const counted = yield* usage(tenantId, tokens(guildId, limit, 0))
          assert.isAtMost(grantedTotal, limit)
          assert.strictEqual(counted, grantedTotal)
          // Each key was granted at most once.
          const grantedKeys = requests.filter((_, i) =>
            results[i]!.result._tag === "Granted" && !results[i]!.result.duplicate
          )
            .map(({ key }) => key)
          assert.strictEqual(new Set(grantedKeys).size, grantedKeys.length)
        }),
      { fastCheck: { numRuns: 25 } }
    )

    it.effect.prop(
      "concurrent consumes, commits and releases on one counter stay within the limit and account for every unit",
      {
        limit: FastCheck.integer({ min: 0, max: 40 }),
        operations: FastCheck.array(
          FastCheck.record({
            kind: FastCheck.constantFrom("consume", "commit", "release"),
            amount: FastCheck.integer({ min: 0, max: 8 }),
            actual: FastCheck.integer({ min: 0, max: 12 })
          }),
          { minLength: 1, maxLength: 30 }
        )
      },
      ({ limit, operations }) =>
        Effect.gen(function*() {
          const store = yield* QuotaStore
          const tenantId = yield* newTenant
          const guildId = newGuildId()
          const counted = yield* Effect.forEach(
            operations,
            ({ actual, amount, kind }) => {
              const charges = [tokens(guildId, limit, amount)]
              if (kind === "consume") {
                return Effect.map(consume({ tenantId, guildId, charges }), (r) => (r._tag === "Granted" ? amount : 0))
              }
              const reservationId = newReservationId()
              return Effect.flatMap(
                reserve({ tenantId, guildId, charges, reservationId, expiresAt: later(600) }),
                (r) =>
                  r._tag !== "Granted"
                    ? Effect.succeed(0)
                    : kind === "commit"
                    ? Effect.map(store.commit(tenantId, reservationId, actual, noon), ({ settled }) => settled)
                    : Effect.as(store.release(tenantId, reservationId, noon), 0)
              )
            },
            { concurrency: "unbounded" }
          )
          const total = counted.reduce((sum, units) => sum + units, 0)
          assert.isAtMost(total, limit)
          assert.strictEqual(yield* usage(tenantId, tokens(guildId, limit, 0)), total)
          const [daily] = yield* today(tenantId, guildId)
          assert.strictEqual(daily?.used ?? 0, total)
        }),
      { fastCheck: { numRuns: 15 } }
    )

    it.effect.prop(
      "a denied request changes nothing; a granted one charges every counter",
      {
        limit: FastCheck.integer({ min: 1, max: 20 }),
        alreadyUsed: FastCheck.integer({ min: 0, max: 20 }),
        first: FastCheck.integer({ min: 0, max: 10 }),
        second: FastCheck.integer({ min: 0, max: 25 })
      },
      ({ alreadyUsed, first, limit, second }) =>
        Effect.gen(function*() {
          const tenantId = yield* newTenant
          const guildId = newGuildId()
          const window: Window = "hour"
          const a: Charge = { meter: "a", scopeKey: guildId, window, limit: 10, amount: first }
          const b: Charge = { meter: "b", scopeKey: guildId, window, limit, amount: second }
          const fill = Math.min(alreadyUsed, limit)
          yield* consume({ tenantId, guildId, charges: [{ ...b, amount: fill }] })
          const before = [yield* usage(tenantId, a), yield* usage(tenantId, b), yield* today(tenantId, guildId)]
          const result = yield* consume({ tenantId, guildId, charges: [a, b] })
          const after = [yield* usage(tenantId, a), yield* usage(tenantId, b), yield* today(tenantId, guildId)]
          if (fill + second <= limit) {
            assert.deepStrictEqual(result, granted)
            assert.deepStrictEqual(after.slice(0, 2), [first, fill + second])
          } else {
            assert.deepStrictEqual(result, {
              _tag: "Exhausted",
              meter: "b",
              limit,
              used: fill,
              resetsAt: DateTime.unsafeMake("2024-02-29T11:00:00Z")
            })
            assert.deepStrictEqual(after, before)
          }
        }),
      { fastCheck: { numRuns: 40 } }
    )
  })
