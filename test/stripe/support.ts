import { Effect, Layer, Option, Redacted } from "effect"
import { StripeGatewayOf, type StripeSettings, StripeWebhookOf } from "../../adapters/stripe/index.js"
import { Plan, PlanCatalog, PlanKey } from "../../core/index.js"
import { FakeStripe, type FakeStripeServer } from "../support/fakes/FakeStripe.js"

export const secretKey = "sk_test_guildhall"
export const webhookSecret = "whsec_test_guildhall"

export const settingsFor = (
  fake: FakeStripeServer,
  options: { readonly secretKey?: string | null; readonly webhookSecret?: string | null } = {}
): StripeSettings => ({
  secretKey: Option.map(
    Option.fromNullable(options.secretKey === undefined ? secretKey : options.secretKey),
    Redacted.make
  ),
  webhookSecret: Option.map(
    Option.fromNullable(options.webhookSecret === undefined ? webhookSecret : options.webhookSecret),
    Redacted.make
  ),
  apiBase: Option.some(new URL(fake.url))
})

/** Two catalog plans sold on Stripe (basic and premium keep their built-in limits). */
export const basicPriceId = "price_test_basic"
export const premiumPriceId = "price_test_premium"

const builtin = PlanCatalog.make()
const withPrice = (key: string, stripePriceId: string) => {
  const plan = builtin.plansByKey.get(key)!
  return Plan.make({ ...plan, key: PlanKey.make(key), stripePriceId })
}
export const TestPlans = PlanCatalog.layer({
  plans: [withPrice("basic", basicPriceId), withPrice("premium", premiumPriceId)]
})

/** The fake, and the real gateway and webhook pointed at it. */
export const StripeAgainstFake = (options: Parameters<typeof settingsFor>[1] = {}) =>
  Layer.unwrapEffect(Effect.map(FakeStripe, (fake) => {
    const settings = settingsFor(fake, options)
    const gateway = StripeGatewayOf(settings)
    return Layer.merge(gateway, StripeWebhookOf(settings).pipe(Layer.provide(Layer.merge(gateway, TestPlans))))
  })).pipe(Layer.provideMerge(FakeStripe.layer))
