import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import { PolarGatewayLive, PolarGatewayOf } from "../../adapters/polar/index.js"
import { PolarGateway } from "../../core/index.js"
import { FakePolar } from "../support/fakes/FakePolar.js"

const TOKEN = "polar_oat_tenant_token_1"
const PRODUCT = "9f0c2b1e-6a7d-4e3f-8b2a-1c0d9e8f7a6b"
const metadata = {
  tenant_id: "0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b",
  guild_id: "111111111111111111",
  role_id: "222222222222222222",
  user_id: "333333333333333333"
}

const request = (overrides: Partial<{ accessToken: Redacted.Redacted<string>; productId: string }> = {}) => ({
  accessToken: Redacted.make(TOKEN),
  productId: PRODUCT,
  externalCustomerId: metadata.user_id,
  metadata,
  successUrl: "https://example.test/paid?checkout_id={CHECKOUT_ID}",
  ...overrides
})

describe("PolarGatewayLive against a local Polar", () => {
  it.scoped("creates a checkout for the product with our metadata and the member as external customer", () =>
    Effect.gen(function*() {
      const fake = yield* FakePolar.make({ tokens: [TOKEN], products: [PRODUCT] })
      const gateway = yield* Effect.provide(PolarGateway, PolarGatewayOf({ apiBase: fake.baseUrl }))
      const link = yield* gateway.roleCheckout(request())
      expect(link.url.startsWith(`${fake.baseUrl}/checkout/`)).toBe(true)
      expect(fake.requests).toHaveLength(1)
      const sent = fake.requests[0]!
      expect(sent).toMatchObject({ method: "POST", path: "/v1/checkouts/" })
      expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`)
      expect(sent.headers["polar-version"]).toBe("2026-10")
      expect(sent.body).toEqual({
        products: [PRODUCT],
        external_customer_id: metadata.user_id,
        metadata,
        success_url: "https://example.test/paid?checkout_id={CHECKOUT_ID}"
      })
      expect(link.url).toContain(link.checkoutId.replaceAll("-", ""))
    }))

  it.scoped("reads POLAR_API_BASE from config", () =>
    Effect.gen(function*() {
      const fake = yield* FakePolar.make({ tokens: [TOKEN], products: [PRODUCT] })
      const layer = PolarGatewayLive.pipe(
        Layer.provide(
          Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["POLAR_API_BASE", `${fake.baseUrl}/`]])))
        )
      )
      const gateway = yield* Effect.provide(PolarGateway, layer)
      yield* gateway.roleCheckout(request())
      expect(fake.requests.map((r) => r.path)).toEqual(["/v1/checkouts/"])
    }))

  it.scoped("a token Polar refuses (401) is rejected, and the message does not reveal the token", () =>
    Effect.gen(function*() {
      const fake = yield* FakePolar.make({ tokens: [TOKEN], products: [PRODUCT] })
      const gateway = yield* Effect.provide(PolarGateway, PolarGatewayOf({ apiBase: fake.baseUrl }))
      const error = yield* Effect.flip(
        gateway.roleCheckout(request({ accessToken: Redacted.make("polar_oat_revoked") }))
      )
      expect(error).toMatchObject({ _tag: "PaymentProviderError", provider: "polar", reason: "rejected" })
      expect(error.message).toContain("401")
      expect(error.message).toContain("access token")
      expect(error.message).not.toContain("polar_oat_revoked")
    }))

  it.scoped("a product Polar does not know (422) is rejected with Polar's validation message", () =>
    Effect.gen(function*() {
      const fake = yield* FakePolar.make({ tokens: [TOKEN], products: [PRODUCT] })
      const gateway = yield* Effect.provide(PolarGateway, PolarGatewayOf({ apiBase: fake.baseUrl }))
      const error = yield* Effect.flip(
        gateway.roleCheckout(request({ productId: "00000000-0000-4000-8000-000000000000" }))
      )
      expect(error).toMatchObject({ reason: "rejected" })
      expect(error.message).toContain("products.0: Product does not exist.")
    }))

  it.scoped("Polar answering 5xx is unavailable (worth retrying), not rejected", () =>
    Effect.gen(function*() {
      const fake = yield* FakePolar.make({ tokens: [TOKEN], products: [PRODUCT] })
      const gateway = yield* Effect.provide(PolarGateway, PolarGatewayOf({ apiBase: fake.baseUrl }))
      fake.outage = true
      const error = yield* Effect.flip(gateway.roleCheckout(request()))
      expect(error).toMatchObject({ provider: "polar", reason: "unavailable" })
      fake.outage = false
      yield* gateway.roleCheckout(request())
    }))

  it.scoped("an unreachable Polar is unavailable", () =>
    Effect.gen(function*() {
      // A port with nothing listening: take one from a fake and close it.
      const baseUrl = yield* Effect.scoped(
        Effect.map(FakePolar.make({ tokens: [TOKEN], products: [PRODUCT] }), (fake) => fake.baseUrl)
      )
      const gateway = yield* Effect.provide(PolarGateway, PolarGatewayOf({ apiBase: baseUrl }))
      const error = yield* Effect.flip(gateway.roleCheckout(request()))
      expect(error).toMatchObject({ provider: "polar", reason: "unavailable" })
    }))
})
