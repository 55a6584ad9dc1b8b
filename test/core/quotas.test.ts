import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Exit, Layer, TestClock } from "effect"
import { NodeCrypto } from "../../adapters/crypto/index.js"
import { QuotaStoreMemory } from "../../adapters/memory/index.js"
import {
  AiTokensMeter,
  CommandsMeter,
  GuildId,
  type Meter,
  type PlanLimits,
  type QuotaContext,
  Quotas,
  TenantId,
  UserId
} from "../../core/index.js"

const TestLayer = () => Quotas.layer.pipe(Layer.provide(Layer.merge(QuotaStoreMemory, NodeCrypto)))

const limits: PlanLimits = { maxGuilds: 1, commandsPerMinute: 2, aiTokensPerDay: 1_000, maxPaidRoles: 0 }
const context: QuotaContext = {
  tenantId: TenantId.make("00000001-0000-4000-8000-000000000001"),
  guildId: GuildId.make("100000000000000001"),
  userId: UserId.make("200000000000000001")
}
const cooldown: Meter = { key: "cooldown:xp rank", window: { seconds: 10 }, scope: "user", limit: 1 }

/** 2024-02-29T23:59:00Z: the last minute of a leap day. */
const start = TestClock.setTime(DateTime.toEpochMillis(DateTime.unsafeMake("2024-02-29T23:59:00Z")))

let keys = 0
const key = () => `interaction-${++keys}`

describe("Quotas", () => {
  it.effect("charges built-in meters against the entitlements' limits per UTC minute", () =>
    Effect.gen(function*() {
      yield* start
      const quotas = yield* Quotas
      const command = [{ meter: CommandsMeter, amount: 1 }]
      expect((yield* quotas.consume(command, context, limits, key()))._tag).toBe("Granted")
      expect((yield* quotas.consume(command, context, limits, key()))._tag).toBe("Granted")
      expect(yield* quotas.consume(command, context, limits, key())).toEqual({
        _tag: "Exhausted",
        meter: "commands",
        limit: 2,
        used: 2,
        resetsAt: DateTime.unsafeMake("2024-03-01T00:00:00Z")
      })
      yield* TestClock.adjust("1 minute")
      expect((yield* quotas.consume(command, context, limits, key()))._tag).toBe("Granted")
      expect(yield* quotas.used(CommandsMeter, context)).toBe(1)
      expect(yield* quotas.dailyUsage(context.tenantId, context.guildId!, "2024-02-29", "2024-03-01")).toEqual([
        { day: "2024-02-29", meter: "commands", used: 2 },
        { day: "2024-03-01", meter: "commands", used: 1 }
      ])
    }).pipe(Effect.provide(TestLayer())))

  it.effect("user-scoped meters count per user; a meter whose scope the context lacks is a defect", () =>
    Effect.gen(function*() {
      yield* start
      const quotas = yield* Quotas
      const use = [{ meter: cooldown, amount: 1 }]
      expect((yield* quotas.consume(use, context, limits, key()))._tag).toBe("Granted")
      expect((yield* quotas.consume(use, context, limits, key()))._tag).toBe("Exhausted")
      const otherUser = { ...context, userId: UserId.make("200000000000000002") }
      expect((yield* quotas.consume(use, otherUser, limits, key()))._tag).toBe("Granted")
      const exit = yield* Effect.exit(quotas.consume(use, { ...context, userId: null }, limits, key()))
      expect(Exit.isFailure(exit) && String(exit.cause)).toMatch(/scoped to a user/)
    }).pipe(Effect.provide(TestLayer())))

  it.effect("amounts must be non-negative integers", () =>
    Effect.gen(function*() {
      const quotas = yield* Quotas
      for (const amount of [-1, 1.5, Number.NaN]) {
        const exit = yield* Effect.exit(quotas.consume([{ meter: AiTokensMeter, amount }], context, limits, key()))
        expect(Exit.isFailure(exit)).toBe(true)
      }
    }).pipe(Effect.provide(TestLayer())))

  it.effect("a reservation holds balance until its ttl, then the balance is back and it cannot be committed", () =>
    Effect.gen(function*() {
      yield* start
      const quotas = yield* Quotas
      const reserved = yield* quotas.reserve([AiTokensMeter], 800, context, limits, key(), "30 seconds")
      expect(reserved._tag).toBe("Reserved")
      expect(yield* quotas.used(AiTokensMeter, context)).toBe(800)
      expect((yield* quotas.reserve([AiTokensMeter], 300, context, limits, key(), "30 seconds"))._tag).toBe("Exhausted")
      yield* TestClock.adjust("30 seconds")
      expect(yield* quotas.used(AiTokensMeter, context)).toBe(0)
      const late = yield* Effect.flip(
        quotas.commit(context.tenantId, reserved._tag === "Reserved" ? reserved.reservationId : "", 10)
      )
      expect(late._tag).toBe("ReservationNotFound")
    }).pipe(Effect.provide(TestLayer())))

  it.effect("commit settles the real cost, capped at the limit, and counts it as daily usage", () =>
    Effect.gen(function*() {
      yield* start
      const quotas = yield* Quotas
      const idempotencyKey = key()
      const reserved = yield* quotas.reserve([AiTokensMeter], 500, context, limits, idempotencyKey, "1 minute")
      if (reserved._tag !== "Reserved") return expect.fail("expected a reservation")
      const again = yield* quotas.reserve([AiTokensMeter], 500, context, limits, idempotencyKey, "1 minute")
      expect(again).toEqual({ _tag: "Reserved", reservationId: reserved.reservationId, duplicate: true })
      yield* quotas.consume([{ meter: AiTokensMeter, amount: 300 }], context, limits, key())
      expect(yield* quotas.commit(context.tenantId, reserved.reservationId, 900)).toEqual({ settled: 700 })
      expect(yield* quotas.used(AiTokensMeter, context)).toBe(1_000)
      expect(yield* quotas.dailyUsage(context.tenantId, context.guildId!, "2024-02-29", "2024-02-29")).toEqual([
        { day: "2024-02-29", meter: "ai_tokens", used: 1_000 }
      ])
    }).pipe(Effect.provide(TestLayer())))

  it.effect("release gives the hold back; sweep gives back what expired", () =>
    Effect.gen(function*() {
      yield* start
      const quotas = yield* Quotas
      const first = yield* quotas.reserve([AiTokensMeter], 400, context, limits, key(), "1 minute")
      if (first._tag !== "Reserved") return expect.fail("expected a reservation")
      yield* quotas.release(context.tenantId, first.reservationId)
      expect(yield* quotas.used(AiTokensMeter, context)).toBe(0)
      yield* quotas.reserve([AiTokensMeter], 400, context, limits, key(), "1 minute")
      yield* TestClock.adjust("2 minutes")
      expect((yield* quotas.sweep).releasedHolds).toBe(1)
      expect(yield* quotas.used(AiTokensMeter, context)).toBe(0)
    }).pipe(Effect.provide(TestLayer())))
})
