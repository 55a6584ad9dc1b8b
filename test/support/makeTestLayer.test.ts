import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import { Quotas, StripeGateway } from "../../core/index.js"
import { makeTestLayer } from "./makeTestLayer.js"

const checkout = { url: "https://checkout.stripe.test/c/pay/cs_1", checkoutId: "cs_1" }

describe("makeTestLayer", () => {
  it.effect("keeps the members a test implements", () =>
    Effect.gen(function*() {
      const stripe = yield* StripeGateway
      expect(
        yield* stripe.planCheckout({ planKey: "basic", priceId: "price_1", successUrl: "", cancelUrl: "" } as never)
      )
        .toEqual(checkout)
    }).pipe(Effect.provide(makeTestLayer(StripeGateway)({ planCheckout: () => Effect.succeed(checkout) }))))

  it.effect("lets a member the test did not implement die naming it", () =>
    Effect.gen(function*() {
      const stripe = yield* StripeGateway
      const exit = yield* Effect.exit(stripe.portal({} as never))
      expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain(
        "StripeGateway.portal is not implemented in this test"
      )
    }).pipe(Effect.provide(makeTestLayer(StripeGateway)({ planCheckout: () => Effect.succeed(checkout) }))))

  it.effect("lets an Effect-valued member the test did not implement die naming it when run", () =>
    Effect.gen(function*() {
      const quotas = yield* Quotas
      const exit = yield* Effect.exit(quotas.sweep)
      expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("Quotas.sweep is not implemented in this test")
    }).pipe(Effect.provide(makeTestLayer(Quotas)({}))))
})
