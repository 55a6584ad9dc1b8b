import { DateTime, Effect, Schema } from "effect"

/** A UTC calendar day, YYYY-MM-DD, that exists (no February 30th). */
export const Day = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}$/, { message: () => "Expected a date as YYYY-MM-DD" }),
  Schema.filter((text) => {
    const date = new Date(`${text}T00:00:00Z`)
    return (!Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text) ||
      `Expected a calendar date as YYYY-MM-DD, got '${text}'`
  })
).annotations({ identifier: "Day", description: "A UTC day, YYYY-MM-DD" })

/** Today, UTC, as YYYY-MM-DD. */
export const todayUtc = Effect.map(DateTime.now, DateTime.formatIsoDateUtc)
