import { describe, expect, it } from "@effect/vitest"
import { DateTime, FastCheck as fc } from "effect"
import type { NonEmptyReadonlyArray } from "effect/Array"
import { chooseAccount, type ReceivingAccount, vietnamHour } from "../../core/index.js"

const account = (accountNumber: string, extra: Partial<ReceivingAccount> = {}): ReceivingAccount => ({
  accountNumber,
  bankCode: "MBBank",
  weight: 1,
  hours: null,
  ...extra
})

const now = DateTime.unsafeMake("2026-11-23T03:00:00Z") // 10:00 in Vietnam
const at = (utc: string) => DateTime.unsafeMake(utc)
const context = { orderNumber: 0, random: 0, now }

describe("chooseAccount", () => {
  const three: NonEmptyReadonlyArray<ReceivingAccount> = [account("1111"), account("2222"), account("3333")]

  it("round_robin takes the accounts in turn by order number", () => {
    const chosen = Array.from(
      { length: 7 },
      (_, orderNumber) => chooseAccount(three, "round_robin", { ...context, orderNumber }).accountNumber
    )
    expect(chosen).toEqual(["1111", "2222", "3333", "1111", "2222", "3333", "1111"])
  })

  it.prop("round_robin always answers one of the accounts", [fc.integer()], ([orderNumber]) => {
    expect(three).toContain(chooseAccount(three, "round_robin", { ...context, orderNumber }))
  })

  it("random picks by the uniform draw", () => {
    expect(chooseAccount(three, "random", { ...context, random: 0 }).accountNumber).toBe("1111")
    expect(chooseAccount(three, "random", { ...context, random: 0.34 }).accountNumber).toBe("2222")
    expect(chooseAccount(three, "random", { ...context, random: 0.999999 }).accountNumber).toBe("3333")
  })

  it("weighted never picks a weight-0 account and picks in proportion to weights", () => {
    const accounts: NonEmptyReadonlyArray<ReceivingAccount> = [
      account("A", { weight: 1 }),
      account("OFF", { weight: 0 }),
      account("B", { weight: 3 })
    ]
    const draws = 10_000
    const counts: Record<string, number> = { A: 0, OFF: 0, B: 0 }
    for (let i = 0; i < draws; i++) {
      // Evenly spaced draws over [0, 1): the exact proportions, no flakiness.
      counts[chooseAccount(accounts, "weighted", { ...context, random: i / draws }).accountNumber]! += 1
    }
    expect(counts).toEqual({ A: 2_500, OFF: 0, B: 7_500 })
  })

  it.prop("weighted with random draws stays close to the weights", [fc.integer()], ([seed]) => {
    const accounts: NonEmptyReadonlyArray<ReceivingAccount> = [account("A", { weight: 2 }), account("B", { weight: 8 })]
    // A small deterministic generator per seed (mulberry32) gives many uniform draws.
    let state = seed >>> 0
    const next = () => {
      state = (state + 0x6D2B79F5) >>> 0
      let t = state
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
    let a = 0
    for (let i = 0; i < 5_000; i++) {
      if (chooseAccount(accounts, "weighted", { ...context, random: next() }).accountNumber === "A") a++
    }
    expect(a / 5_000).toBeGreaterThan(0.15)
    expect(a / 5_000).toBeLessThan(0.25)
  }, { fastCheck: { numRuns: 20 } })

  it.prop("every strategy names one of the accounts, whatever the draw", [
    fc.constantFrom("round_robin" as const, "random" as const, "weighted" as const, "time_based" as const),
    fc.double(),
    fc.double(),
    fc.integer({ min: 0, max: 4_102_444_800_000 })
  ], ([strategy, orderNumber, random, millis]) => {
    const accounts: NonEmptyReadonlyArray<ReceivingAccount> = [
      account("A", { weight: 0, hours: { from: 9, to: 17 } }),
      account("B", { weight: 5 })
    ]
    const chosen = chooseAccount(accounts, strategy, { orderNumber, random, now: DateTime.unsafeMake(millis) })
    expect(accounts).toContain(chosen)
  })

  it("weighted with every weight 0 falls back to the first account", () => {
    const off: NonEmptyReadonlyArray<ReceivingAccount> = [account("A", { weight: 0 }), account("B", { weight: 0 })]
    expect(chooseAccount(off, "weighted", { ...context, random: 0.9 }).accountNumber).toBe("A")
  })

  describe("time_based (Vietnam time)", () => {
    const accounts: NonEmptyReadonlyArray<ReceivingAccount> = [
      account("DAY", { hours: { from: 8, to: 18 } }),
      account("NIGHT", { hours: { from: 22, to: 6 } }),
      account("ANY")
    ]

    it("reads the hour in UTC+7", () => {
      expect(vietnamHour(at("2026-11-23T03:00:00Z"))).toBe(10)
      expect(vietnamHour(at("2026-11-23T17:30:00Z"))).toBe(0)
      expect(vietnamHour(at("2026-11-23T16:59:59Z"))).toBe(23)
    })

    it("picks the first account whose hours contain the hour, windows wrapping past midnight", () => {
      expect(chooseAccount(accounts, "time_based", { ...context, now: at("2026-11-23T01:00:00Z") }).accountNumber)
        .toBe("DAY") // 08:00, from is inclusive
      expect(chooseAccount(accounts, "time_based", { ...context, now: at("2026-11-23T15:00:00Z") }).accountNumber)
        .toBe("NIGHT") // 22:00
      expect(chooseAccount(accounts, "time_based", { ...context, now: at("2026-11-23T20:00:00Z") }).accountNumber)
        .toBe("NIGHT") // 03:00
    })

    it("outside every window uses the first account without hours; with none, the first account", () => {
      // 18:00 Vietnam: DAY's window is [8, 18), so it has ended.
      expect(chooseAccount(accounts, "time_based", { ...context, now: at("2026-11-23T11:00:00Z") }).accountNumber)
        .toBe("ANY")
      const onlyWindows: NonEmptyReadonlyArray<ReceivingAccount> = [accounts[0], accounts[1]!]
      expect(chooseAccount(onlyWindows, "time_based", { ...context, now: at("2026-11-23T11:00:00Z") }).accountNumber)
        .toBe("DAY")
    })
  })
})
