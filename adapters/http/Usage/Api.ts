import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { GuildId } from "../../../core/index.js"
import { Authentication } from "../Auth.js"
import { Day } from "../shared/Day.js"
import { GuildNotFound, InvalidInput, TenantNotFound } from "../shared/Errors.js"
import { DailyUsageView } from "../shared/Views.js"

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
      .addError(InvalidInput)
      .addError(GuildNotFound)
      .addError(TenantNotFound)
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
