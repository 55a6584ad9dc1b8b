import { Schema } from "effect"
import { GuildConfigLayer } from "../tenancy/GuildConfig.js"

export const PlanKey = Schema.String.pipe(
  Schema.pattern(/^[a-z][a-z0-9_-]{0,31}$/, {
    message: () =>
      "Expected a plan key: lowercase letters, digits, '-' or '_', starting with a letter, at most 32 characters"
  }),
  Schema.brand("PlanKey")
)
export type PlanKey = typeof PlanKey.Type

/** A numeric limit; -1 means unlimited. */
export const Limit = Schema.Int.pipe(Schema.greaterThanOrEqualTo(-1))

export const PlanLimits = Schema.Struct({
  /** Guilds a tenant may have installed at once. */
  maxGuilds: Limit,
  /** Commands one guild may run per minute (the guardrail's rate limit). */
  commandsPerMinute: Limit,
  /** AI tokens one guild may spend per UTC day. */
  aiTokensPerDay: Limit,
  /** Paid roles one guild may sell. */
  maxPaidRoles: Limit
})
export type PlanLimits = typeof PlanLimits.Type

const Days = Schema.Int.pipe(Schema.between(0, 365))

export const PlanDunning = Schema.Struct({ graceDays: Days, readOnlyDays: Days })
export type PlanDunning = typeof PlanDunning.Type

export class Plan extends Schema.Class<Plan>("Plan")({
  key: PlanKey,
  name: Schema.NonEmptyTrimmedString,
  /** Feature flags the plan switches on (a feature's `requires` names one of these). */
  features: Schema.Array(Schema.NonEmptyTrimmedString),
  limits: PlanLimits,
  /** The plan-default layer of every guild's settings. */
  guildDefaults: Schema.optionalWith(GuildConfigLayer, { default: () => ({}) }),
  /** The Stripe price tenants subscribe to for this plan; null: not sold through Stripe (free, by hand). */
  stripePriceId: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  /** Days of free trial a new Stripe subscription gets. */
  trialDays: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 730)), { default: () => 30 }),
  /**
   * Metered billing: quota meters (commands, ai_tokens) whose daily usage is
   * reported to Stripe, each as billing meter events of the given event name.
   */
  usageMeters: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.NonEmptyTrimmedString }), {
    default: () => ({})
  }),
  /** After a failed payment: days of full access, then days read-only, then the plan ends (see DunningPolicy). */
  dunning: Schema.optionalWith(PlanDunning, { default: () => ({ graceDays: 7, readOnlyDays: 14 }) })
}) {}

export const isUnlimited = (limit: number): boolean => limit < 0

export type LimitKey = keyof PlanLimits

/** Every limit a plan has, by name. */
export const limitKeys: ReadonlyArray<LimitKey> = Object.keys(PlanLimits.fields) as Array<LimitKey>

/** Some limits, e.g. what an add-on adds or an override sets. */
export const PartialLimits = Schema.partial(PlanLimits)
export type PartialLimits = typeof PartialLimits.Type

/** True when `used` more units still fit under `limit` after adding `adding`. */
export const fitsWithin = (limit: number, used: number, adding = 1): boolean =>
  isUnlimited(limit) || used + adding <= limit
