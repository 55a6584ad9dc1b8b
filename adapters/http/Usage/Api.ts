import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { GuildId, GuildNotFound, InvalidInput, TenantNotFound } from "../../../core/index.js"
import { Authentication } from "../Auth.js"

/** A UTC calendar day, YYYY-MM-DD, that exists (no February 30th). */
export const Day = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}$/, { message: () => "Expected a date as YYYY-MM-DD" }),
  Schema.filter((text) => {
    const date = new Date(`${text}T00:00:00Z`)
    return (!Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text) ||
      `Expected a calendar date as YYYY-MM-DD, got '${text}'`
  })
).annotations({ identifier: "Day", description: "A UTC day, YYYY-MM-DD" })

export const DailyUsageView = Schema.Struct({
  day: Day,
  meter: Schema.String.annotations({ description: "e.g. commands, ai_tokens" }),
  used: Schema.Number
}).annotations({ identifier: "DailyUsage" })

export const UsageReport = Schema.Struct({
  guildId: GuildId,
  from: Day,
  to: Day,
  days: Schema.Array(DailyUsageView).annotations({ description: "Days without usage are left out" })
}).annotations({ identifier: "UsageReport" })

/** The longest range one request may ask for, in days (both ends included). */
export const maxUsageRangeDays = 366

/** Without `from`, a report covers this many days up to `to`. */
export const defaultUsageRangeDays = 30

export class UsageApi extends HttpApiGroup.make("usage")
  .add(
    HttpApiEndpoint.get("daily", "/usage/:guildId/daily")
      .setPath(Schema.Struct({ guildId: GuildId }))
      .setUrlParams(Schema.Struct({
        from: Schema.optional(Day).annotations({ description: "First day; defaults to 29 days before `to`" }),
        to: Schema.optional(Day).annotations({ description: "Last day (included); defaults to today (UTC)" })
      }))
      .addSuccess(UsageReport)
      .addError(InvalidInput, { status: 400 })
      .addError(GuildNotFound, { status: 404 })
      .addError(TenantNotFound, { status: 404 })
      .annotate(OpenApi.Summary, "A guild's daily usage")
      .annotate(
        OpenApi.Description,
        "Granted usage per meter per UTC day, from `from` to `to` inclusive: by default the last 30 days up to " +
          `today. \`from\` must not be after \`to\`, and a range covers at most ${maxUsageRangeDays} days.`
      )
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Usage counters per guild, for reports")
{}
