import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { InvalidInput, Quotas } from "../../../core/index.js"
import { Api } from "../Api.js"
import { forGuild } from "../Policy.js"
import { todayUtc } from "../shared/Day.js"
import { defaultUsageRangeDays, maxUsageRangeDays } from "./Api.js"

const dayMillis = 24 * 60 * 60 * 1000

const epochDay = (day: string) => Date.parse(`${day}T00:00:00Z`) / dayMillis

const dayOf = (epoch: number) => new Date(epoch * dayMillis).toISOString().slice(0, 10)

/** The inclusive range a request asks for, with the defaults filled in and the bounds checked. */
export const usageRange = (from: string | undefined, to: string | undefined) =>
  Effect.gen(function*() {
    const end = to ?? (yield* todayUtc)
    const start = from ?? dayOf(epochDay(end) - (defaultUsageRangeDays - 1))
    const days = epochDay(end) - epochDay(start) + 1
    if (days < 1) return yield* new InvalidInput({ message: `'from' (${start}) is after 'to' (${end})` })
    if (days > maxUsageRangeDays) {
      return yield* new InvalidInput({
        message: `The range ${start}..${end} covers ${days} days; ask for at most ${maxUsageRangeDays}`
      })
    }
    return { from: start, to: end }
  })

export const HttpUsageLive = HttpApiBuilder.group(
  Api,
  "usage",
  (handlers) =>
    Effect.map(Quotas, (quotas) =>
      handlers.handle(
        "daily",
        forGuild(({ guildId, tenantId }, { urlParams }) =>
          Effect.gen(function*() {
            const { from, to } = yield* usageRange(urlParams.from, urlParams.to)
            const days = yield* quotas.dailyUsage(tenantId, guildId, from, to)
            return { guildId, from, to, days }
          })
        )
      ))
)
