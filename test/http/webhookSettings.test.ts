import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { PlanKey } from "../../core/index.js"
import { guildId, tenantWithGuild, TestServer } from "./harness.js"
import { memberId, polarSettings, polarSubscriptionEvent, postPolar, roleId } from "./paymentFixtures.js"

/**
 * The webhook endpoints reuse a tenant's provider settings for a few seconds
 * (ADR 054); these check that reuse never makes a fresh configuration wait.
 */

const json = (text: string) => JSON.parse(text) as unknown

describe("webhook provider settings reuse", () => {
  it.live("a rotated Polar secret is accepted from the first webhook signed with it; the old one then is not", () =>
    Effect.gen(function*() {
      const shop = yield* tenantWithGuild("Acme", PlanKey.make("premium"), guildId(1))
      const metadata = { tenant_id: shop.tenant.id, guild_id: shop.guildId, role_id: roleId(1), user_id: memberId(1) }
      const event = (minutes: number) =>
        polarSubscriptionEvent("subscription.updated", { metadata, modifiedAfterMinutes: minutes })

      // Not configured yet: refused, and nothing about that is remembered.
      assert.strictEqual((yield* postPolar(shop.tenant.id, event(1), { id: "msg_early" })).status, 401)
      yield* shop.client.billing.configurePolar({ payload: polarSettings })
      const first = yield* postPolar(shop.tenant.id, event(1), { id: "msg_first" })
      assert.deepStrictEqual(json(first.text), { received: true, duplicate: false })

      // The settings are now reused; the rotated secret must not wait for them to expire.
      const rotated = "polar_whs_acme_rotated_secret"
      yield* shop.client.billing.configurePolar({
        payload: { ...polarSettings, webhookSecret: Redacted.make(rotated) }
      })
      const signedWithNew = yield* postPolar(shop.tenant.id, event(2), { id: "msg_rotated", secret: rotated })
      assert.strictEqual(signedWithNew.status, 200)
      assert.deepStrictEqual(json(signedWithNew.text), { received: true, duplicate: false })
      // Reading the new secret replaced the reused one.
      assert.strictEqual((yield* postPolar(shop.tenant.id, event(3), { id: "msg_stale" })).status, 400)
    }).pipe(Effect.provide(TestServer)))
})
