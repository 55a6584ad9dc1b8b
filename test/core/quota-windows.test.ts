import { describe, expect, it } from "@effect/vitest"
import { DateTime, FastCheck } from "effect"
import { resetsAt, settledAmount, type Window, windowStart } from "../../core/index.js"

const utc = (iso: string) => DateTime.unsafeMake(iso)
const iso = (instant: DateTime.Utc | null) => (instant === null ? null : DateTime.formatIso(instant))
const span = (window: Window, now: string) => [iso(windowStart(window, utc(now))), iso(resetsAt(window, utc(now)))]

describe("quota windows", () => {
  it("align minutes, hours and days to UTC boundaries", () => {
    expect(span("minute", "2024-05-06T07:08:59.999Z")).toEqual(["2024-05-06T07:08:00.000Z", "2024-05-06T07:09:00.000Z"])
    expect(span("hour", "2024-05-06T07:00:00.000Z")).toEqual(["2024-05-06T07:00:00.000Z", "2024-05-06T08:00:00.000Z"])
    expect(span("day", "2024-12-31T23:59:59.999Z")).toEqual(["2024-12-31T00:00:00.000Z", "2025-01-01T00:00:00.000Z"])
  })

  it("are independent of any local time zone", () => {
    // 00:30 on Jan 1 in Ho Chi Minh City is still Dec 31 in UTC.
    const zoned = DateTime.unsafeMakeZoned("2025-01-01T00:30:00", {
      timeZone: "Asia/Ho_Chi_Minh",
      adjustForTimeZone: true
    })
    expect(iso(windowStart("day", DateTime.toUtc(zoned)))).toBe("2024-12-31T00:00:00.000Z")
  })

  it("follow calendar months, including leap years and year ends", () => {
    expect(span("month", "2024-02-29T23:59:59.999Z")).toEqual(["2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"])
    expect(span("month", "2023-02-28T12:00:00Z")).toEqual(["2023-02-01T00:00:00.000Z", "2023-03-01T00:00:00.000Z"])
    expect(span("month", "2100-02-28T12:00:00Z")).toEqual(["2100-02-01T00:00:00.000Z", "2100-03-01T00:00:00.000Z"])
    expect(span("month", "2024-12-31T23:59:59.999Z")).toEqual(["2024-12-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"])
    expect(span("month", "2024-01-31T00:00:00Z")).toEqual(["2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z"])
    expect(span("month", "2024-03-01T00:00:00Z")).toEqual(["2024-03-01T00:00:00.000Z", "2024-04-01T00:00:00.000Z"])
  })

  it("align { seconds } windows to the epoch and never reset lifetime", () => {
    expect(span({ seconds: 30 }, "2024-05-06T07:08:45Z")).toEqual([
      "2024-05-06T07:08:30.000Z",
      "2024-05-06T07:09:00.000Z"
    ])
    expect(span({ seconds: 7 }, "1970-01-01T00:00:20Z")).toEqual([
      "1970-01-01T00:00:14.000Z",
      "1970-01-01T00:00:21.000Z"
    ])
    expect(span({ seconds: 10 }, "1969-12-31T23:59:55Z")).toEqual([
      "1969-12-31T23:59:50.000Z",
      "1970-01-01T00:00:00.000Z"
    ])
    expect(span("lifetime", "2024-05-06T07:08:45Z")).toEqual(["1970-01-01T00:00:00.000Z", null])
  })

  it.prop(
    "every instant lies in [windowStart, resetsAt), and resetsAt starts the next window",
    {
      millis: FastCheck.integer({ min: -2_000_000_000_000, max: 8_000_000_000_000 }),
      window: FastCheck.oneof(
        FastCheck.constantFrom<Array<Window>>("minute", "hour", "day", "month"),
        FastCheck.record({ seconds: FastCheck.integer({ min: 1, max: 100_000 }) })
      )
    },
    ({ millis, window }) => {
      const now = DateTime.unsafeMake(millis)
      const start = windowStart(window, now)
      const end = resetsAt(window, now)!
      expect(DateTime.toEpochMillis(start)).toBeLessThanOrEqual(millis)
      expect(DateTime.toEpochMillis(end)).toBeGreaterThan(millis)
      expect(windowStart(window, end)).toEqual(end)
      expect(windowStart(window, start)).toEqual(start)
    }
  )
})

describe("settlement", () => {
  it("settles a smaller amount as is and caps a larger one at the limit, never below the hold", () => {
    expect(settledAmount({ used: 60, held: 40, limit: 100 }, 10)).toBe(10)
    expect(settledAmount({ used: 60, held: 40, limit: 100 }, 70)).toBe(70)
    expect(settledAmount({ used: 90, held: 40, limit: 100 }, 70)).toBe(50)
    // The limit was lowered below what is already used: the hold stays counted, nothing more.
    expect(settledAmount({ used: 90, held: 40, limit: 30 }, 70)).toBe(40)
    expect(settledAmount({ used: 90, held: 40, limit: -1 }, 7_000)).toBe(7_000)
  })
})
