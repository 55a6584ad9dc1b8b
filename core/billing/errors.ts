import { Schema } from "effect"

/** The plan has no Stripe price configured, so it cannot be bought (free, or sold by hand). */
export class PlanNotForSale extends Schema.TaggedError<PlanNotForSale>()("PlanNotForSale", {
  planKey: Schema.String,
  message: Schema.String
}) {
  static of(planKey: string) {
    return new PlanNotForSale({
      planKey,
      message: `The '${planKey}' plan is not sold through Stripe (it has no stripePriceId in the plan catalog); ` +
        "ask the operator to grant it, or choose another plan"
    })
  }
}

/** The tenant has no provider customer yet, so there is no billing portal to open. */
export class NoBillingAccount extends Schema.TaggedError<NoBillingAccount>()("NoBillingAccount", {
  message: Schema.String
}) {
  static readonly instance = new NoBillingAccount({
    message: "This tenant has no Stripe customer yet: start a plan checkout (POST /billing/checkout) first"
  })
}
