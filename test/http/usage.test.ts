import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import { CommandsMeter, PlanKey, Quotas } from "../../core/index.js"
import { rawJson, tenantWithGuild, TestServer } from "./harness.js"

const basic = PlanKey.make("basic")
const limits = { maxGuilds: 3, commandsPerMinute: 120, aiTokensPerDay: 10_000, maxPaidRoles: 2 }

const daysBefore = (day: string, days: number) =>
  DateTime.formatIsoDateUtc(DateTime.subtract(DateTime.unsafeMake(`${day}T00:00:00Z`), { days }))

describe("usage", () => {
  it.effect("defaults to the last 30 days up to today (UTC) and reports what was consumed", () =>
    Effect.gen(function*() {
      const { client, guildId, tenant } = yield* tenantWithGuild("Acme", basic)
      const today = DateTime.formatIsoDateUtc(yield* DateTime.now)
      const quotas = yield* Quotas
      yield* quotas.consume(
        [{ meter: CommandsMeter, amount: 3 }],
        { tenantId: tenant.id, guildId, userId: null },
        limits,
        "i-1"
      )

      const report = yield* client.usage.daily({ path: { guildId }, urlParams: {} })
      assert.deepStrictEqual(report, {
        guildId,
        from: daysBefore(today, 29),
        to: today,
        days: [{ day: today, meter: "commands", used: 3 }]
      })
      const page = yield* client.assets.get({ path: { guildId } })
      assert.deepStrictEqual(page.usageToday, [{ day: today, meter: "commands", used: 3 }])

      // A range that ends before today sees none of it.
      const earlier = yield* client.usage.daily({ path: { guildId }, urlParams: { to: daysBefore(today, 1) } })
      assert.deepStrictEqual(earlier.days, [])
      assert.strictEqual(earlier.from, daysBefore(today, 30))
    }).pipe(Effect.provide(TestServer)))

  it.effect("dates are validated: calendar days, from <= to, at most 366 days (400 otherwise)", () =>
    Effect.gen(function*() {
      const { guildId, key } = yield* tenantWithGuild("Acme", basic)
      const daily = (query: string) => rawJson("GET", `/usage/${guildId}/daily?${query}`, key)

      const ok = yield* daily("from=2024-01-01&to=2024-12-31") // 366 days: a leap year
      assert.strictEqual(ok.status, 200)
      assert.deepStrictEqual([ok.body.from, ok.body.to], ["2024-01-01", "2024-12-31"])
      assert.strictEqual((yield* daily("from=2024-03-05&to=2024-03-05")).status, 200)

      const tooLong = yield* daily("from=2023-01-01&to=2024-01-02")
      assert.strictEqual(tooLong.status, 400)
      assert.strictEqual(tooLong.body._tag, "InvalidInput")
      assert.include(tooLong.body.message, "covers 367 days; ask for at most 366")

      const reversed = yield* daily("from=2024-03-02&to=2024-03-01")
      assert.strictEqual(reversed.status, 400)
      assert.include(reversed.body.message, "'from' (2024-03-02) is after 'to' (2024-03-01)")

      for (const query of ["from=2023-02-29", "to=2024-13-01", "from=2024/01/01", "to=yesterday"]) {
        const bad = yield* daily(query)
        assert.strictEqual(bad.status, 400, query)
        assert.strictEqual(bad.body._tag, "HttpApiDecodeError", query)
      }
    }).pipe(Effect.provide(TestServer)))
})
