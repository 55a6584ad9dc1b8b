import { describe, expect, it } from "@effect/vitest"
import { DateTime, FastCheck as fc } from "effect"
import {
  type BankTransfer,
  Currency,
  GuildId,
  matchTransfer,
  PaymentOrder,
  RoleId,
  TenantId,
  UserId,
  vietQrImageUrl
} from "../../core/index.js"

const createdAt = DateTime.unsafeMake("2026-11-23T03:00:00Z")
const order = (fields: Partial<PaymentOrder> = {}) =>
  PaymentOrder.make({
    id: "7a1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d",
    tenantId: TenantId.make("0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b"),
    guildId: GuildId.make("111111111111111111"),
    roleId: RoleId.make("222222222222222222"),
    userId: UserId.make("333333333333333333"),
    code: "GHAB12CD34",
    amountDue: { minor: 50_000, currency: Currency.make("VND") },
    accountNumber: "0123456789",
    bankCode: "MBBank",
    passDays: 30,
    status: "pending",
    receivedMinor: 0,
    overpaidMinor: 0,
    transactionId: null,
    createdAt,
    expiresAt: DateTime.add(createdAt, { hours: 24 }),
    settledAt: null,
    ...fields
  })

const transfer = (fields: Partial<BankTransfer> = {}): BankTransfer => ({
  id: "92704",
  gateway: "MBBank",
  occurredAt: DateTime.add(createdAt, { minutes: 5 }),
  accountNumber: "0123456789",
  code: "GHAB12CD34",
  content: "GHAB12CD34 chuyen tien",
  direction: "in",
  amount: 50_000,
  referenceCode: "FT24123",
  ...fields
})

const soon = DateTime.add(createdAt, { minutes: 6 })

describe("matchTransfer", () => {
  it("the exact amount into the order's account with its code is Paid with nothing over", () => {
    expect(matchTransfer(order(), transfer(), soon)).toEqual({
      _tag: "Paid",
      receivedMinor: 50_000,
      overpaidMinor: 0,
      late: false
    })
  })

  it.prop("any amount at or above due is Paid with the excess recorded; below is Underpaid with the shortfall", [
    fc.integer({ min: 0, max: 10_000_000 })
  ], ([amount]) => {
    const match = matchTransfer(order(), transfer({ amount }), soon)
    if (amount >= 50_000) {
      expect(match).toEqual({ _tag: "Paid", receivedMinor: amount, overpaidMinor: amount - 50_000, late: false })
    } else expect(match).toEqual({ _tag: "Underpaid", receivedMinor: amount, shortMinor: 50_000 - amount, late: false })
  })

  it("an outgoing transfer never settles", () => {
    expect(matchTransfer(order(), transfer({ direction: "out" }), soon)._tag).toBe("NotForThisOrder")
  })

  it("a transfer into another receiving account does not settle", () => {
    const match = matchTransfer(order(), transfer({ accountNumber: "9999999999" }), soon)
    expect(match).toMatchObject({ _tag: "NotForThisOrder", reason: expect.stringContaining("account") })
  })

  it("a transfer to an order already paid or refunded is held for review: a second payment, not ignored", () => {
    for (const status of ["paid", "refunded"] as const) {
      expect(matchTransfer(order({ status, transactionId: "1" }), transfer(), soon)).toEqual({
        _tag: "Held",
        reason: "order_settled"
      })
    }
  })

  it("a top-up to an underpaid order counts what arrived before: enough settles it, less stays underpaid", () => {
    const short = order({ status: "underpaid", receivedMinor: 30_000, transactionId: "1" })
    expect(matchTransfer(short, transfer({ id: "2", amount: 20_000 }), soon)).toEqual({
      _tag: "Paid",
      receivedMinor: 50_000,
      overpaidMinor: 0,
      late: false
    })
    expect(matchTransfer(short, transfer({ id: "2", amount: 25_000 }), soon)).toMatchObject({
      _tag: "Paid",
      receivedMinor: 55_000,
      overpaidMinor: 5_000
    })
    expect(matchTransfer(short, transfer({ id: "2", amount: 10_000 }), soon)).toEqual({
      _tag: "Underpaid",
      receivedMinor: 40_000,
      shortMinor: 10_000,
      late: false
    })
  })

  it("a transfer dated before the order existed is held for review; one in the order's second is not", () => {
    expect(matchTransfer(order(), transfer({ occurredAt: DateTime.add(createdAt, { seconds: -1 }) }), soon)).toEqual({
      _tag: "Held",
      reason: "dated_before_order"
    })
    // SePay's transactionDate has whole seconds: an order made at 03:00:00.700 and paid at 03:00:00 is fine.
    const madeMidSecond = order({ createdAt: DateTime.add(createdAt, { millis: 700 }) })
    expect(matchTransfer(madeMidSecond, transfer({ occurredAt: createdAt }), soon)._tag).toBe("Paid")
  })

  it("the code must be the order's: SePay's extracted code, or the code as a token in the content", () => {
    expect(matchTransfer(order(), transfer({ code: "GHZZZZZZZZ", content: "GHZZZZZZZZ" }), soon)._tag).toBe(
      "NotForThisOrder"
    )
    expect(matchTransfer(order(), transfer({ code: null, content: "ck ghab12cd34 FT24" }), soon)._tag).toBe("Paid")
    expect(matchTransfer(order(), transfer({ code: "ghab12cd34 " }), soon)._tag).toBe("Paid")
    expect(matchTransfer(order(), transfer({ code: null, content: "GHAB12CD345" }), soon)._tag).toBe("NotForThisOrder")
  })

  it("a transfer after the order expired still settles it, marked late", () => {
    const afterExpiry = DateTime.add(createdAt, { hours: 25 })
    expect(matchTransfer(order({ status: "expired" }), transfer(), afterExpiry)).toMatchObject({
      _tag: "Paid",
      late: true
    })
    expect(matchTransfer(order(), transfer({ amount: 10 }), afterExpiry)).toMatchObject({
      _tag: "Underpaid",
      late: true
    })
  })
})

describe("vietQrImageUrl", () => {
  it("builds SePay's QR image URL with every value encoded", () => {
    expect(vietQrImageUrl({ accountNumber: "0123456789", bankCode: "MBBank", amount: 50_000, content: "GH AB&1=2" }))
      .toBe("https://qr.sepay.vn/img?acc=0123456789&bank=MBBank&amount=50000&des=GH%20AB%261%3D2")
  })

  it("round-trips through URL parsing", () => {
    const url = new URL(vietQrImageUrl({ accountNumber: "VQR123", bankCode: "VCB", amount: 1, content: "tiền #1?" }))
    expect(url.origin + url.pathname).toBe("https://qr.sepay.vn/img")
    expect(Object.fromEntries(url.searchParams)).toEqual({ acc: "VQR123", bank: "VCB", amount: "1", des: "tiền #1?" })
  })
})
