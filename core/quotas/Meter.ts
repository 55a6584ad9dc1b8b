import type { GuildId, TenantId, UserId } from "../ids.js"
import type { LimitKey, PlanLimits } from "../plans/Plan.js"
import type { Window } from "./Window.js"

/** Whose counter a meter charges: the tenant's, the guild's or the user's. */
export type MeterScope = "tenant" | "guild" | "user"

/**
 * Something counted against a limit per window. The limit is read from the
 * entitlements (a plan limit's key) or fixed (a number; -1 is unlimited). A
 * meter key has one window and one scope: they identify its counters.
 */
export interface Meter {
  readonly key: string
  readonly window: Window
  readonly scope: MeterScope
  readonly limit: LimitKey | number
}

/** Commands a guild may run per UTC minute: the guardrail's rate limit. */
export const CommandsMeter: Meter = { key: "commands", window: "minute", scope: "guild", limit: "commandsPerMinute" }

/** AI tokens a guild may spend per UTC day (reserved before a call, committed at its real cost). */
export const AiTokensMeter: Meter = { key: "ai_tokens", window: "day", scope: "guild", limit: "aiTokensPerDay" }

/** Who is being charged; a meter scoped to a guild or user needs that id. */
export interface QuotaContext {
  readonly tenantId: TenantId
  readonly guildId: GuildId | null
  readonly userId: UserId | null
}

export const meterLimit = (meter: Meter, limits: PlanLimits): number =>
  typeof meter.limit === "number" ? meter.limit : limits[meter.limit]

/** The id whose counter the meter charges in `context`; undefined when the context lacks it. */
export const meterScopeKey = (meter: Meter, context: QuotaContext): string | undefined => {
  switch (meter.scope) {
    case "tenant":
      return context.tenantId
    case "guild":
      return context.guildId ?? undefined
    case "user":
      return context.userId ?? undefined
  }
}
