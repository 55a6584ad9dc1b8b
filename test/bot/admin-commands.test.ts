import { assert, describe, expect, layer } from "@effect/vitest"
import { DateTime, Effect, Redacted, Schema } from "effect"
import {
  Billing,
  Currency,
  type GuildId,
  PaidRoles,
  PaymentSetup,
  RoleId,
  SepaySettings,
  type TenantId
} from "../../core/index.js"
import { startClock, stateChanged } from "../support/billing.js"
import {
  admin,
  CommandRuntime,
  gatewayCalls,
  links,
  member,
  memberId,
  newGuild,
  run,
  settle
} from "./commandRuntime.js"

const supporter = RoleId.make("400000000000000020")
const vip = RoleId.make("400000000000000021")
const polarProduct = "0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b"

/** VIP sold through Polar and Stripe, Supporter through SePay, with both providers configured. */
const paidRolesForSale = (tenantId: TenantId, guildId: GuildId) =>
  Effect.gen(function*() {
    const roles = yield* PaidRoles
    yield* roles.put(tenantId, guildId, vip, {
      name: "VIP",
      price: { minor: 500, currency: Currency.make("USD") },
      stripePriceId: "price_vip",
      polarProductId: polarProduct,
      sepayPassDays: null,
      graceDays: 3
    })
    yield* roles.put(tenantId, guildId, supporter, {
      name: "Supporter",
      price: { minor: 99_000, currency: Currency.make("VND") },
      stripePriceId: null,
      polarProductId: null,
      sepayPassDays: 30,
      graceDays: 3
    })
    const setup = yield* PaymentSetup
    yield* setup.configurePolar(tenantId, {
      accessToken: Redacted.make("polar_oat_test"),
      webhookSecret: Redacted.make("whsec_test")
    })
    yield* setup.configureSepay(tenantId, {
      settings: Schema.decodeUnknownSync(SepaySettings)({
        codePrefix: "GH",
        accounts: [{ accountNumber: "0123456789", bankCode: "MBBank" }]
      }),
      apiKey: Redacted.make("sepay-key"),
      hmacSecret: undefined
    })
  })

describe("/permissions", () => {
  layer(CommandRuntime)((it) => {
    it.effect("deny on a role stops that role's members; allow lets them run it again; reset removes the rules", () =>
      Effect.gen(function*() {
        const { guildId } = yield* newGuild("basic")
        const supporterMember = member([supporter])
        expect((yield* run(guildId, supporterMember, "status")).content).toContain("Basic plan")

        const denied = yield* run(guildId, admin, "permissions deny", { target: "/status", role: supporter })
        expect(denied.content).toContain(`Denied: <@&${supporter}> on \`command:status\``)
        yield* settle
        const stopped = yield* run(guildId, supporterMember, "status")
        expect(stopped.ephemeral).toBe(true)
        expect(stopped.content).toContain("/status is blocked")
        // Another member is not affected.
        expect((yield* run(guildId, member(), "status")).content).toContain("Basic plan")

        yield* run(guildId, admin, "permissions allow", { target: "status", role: supporter })
        yield* settle
        expect((yield* run(guildId, supporterMember, "status")).content).toContain("Basic plan")

        const viewed = yield* run(guildId, admin, "permissions view", { target: "status" })
        expect(viewed.content).toContain(`allow <@&${supporter}> on \`command:status\``)
        expect(viewed.content).not.toContain("deny")

        expect((yield* run(guildId, admin, "permissions reset", { target: "status" })).content).toContain(
          "Removed 1 rule for `command:status`"
        )
        expect((yield* run(guildId, admin, "permissions view")).content).toContain("No rules for this server")
      }))

    it.effect("needs exactly one subject and a target that exists", () =>
      Effect.gen(function*() {
        const { guildId } = yield* newGuild("basic")
        expect(
          (yield* run(guildId, admin, "permissions deny", { target: "status", role: supporter, user: memberId }))
            .content
        ).toContain("Pick one of user, role or channel")
        expect((yield* run(guildId, admin, "permissions deny", { target: "status" })).content).toContain(
          "Pick one of user, role or channel"
        )
        expect((yield* run(guildId, admin, "permissions deny", { target: "nope now", role: supporter })).content)
          .toContain("no command or subcommand '/nope now'")
        // A feature's key that is no command is the feature.
        expect((yield* run(guildId, admin, "permissions deny", { target: "welcome", role: supporter })).content)
          .toContain("`feature:welcome`")
      }))

    it.effect("a member without Manage Server cannot edit rules", () =>
      Effect.gen(function*() {
        const { guildId } = yield* newGuild("basic")
        const refused = yield* run(guildId, member(), "permissions deny", { target: "status", role: supporter })
        expect(refused.content).toContain("/permissions deny is for admins")
        expect((yield* run(guildId, admin, "permissions view")).content).toContain("No rules")
      }))
  })
})

describe("/features", () => {
  layer(CommandRuntime)((it) => {
    it.effect("lists, enables and disables; a feature outside the plan refuses with the upgrade hint", () =>
      Effect.gen(function*() {
        const { guildId } = yield* newGuild("free")
        const listed = yield* run(guildId, admin, "features list")
        expect(listed.content).toContain("`xp` — XP")
        expect(listed.content).toMatch(/`xp` .*not in your plan/)
        expect(listed.content).toMatch(/`welcome` .*: off/)

        const refused = yield* run(guildId, admin, "features enable", { feature: "xp" })
        expect(refused.content).toContain("not included in the 'free' plan")
        expect(refused.content).toContain("Upgrade to the Basic plan (an admin can run /upgrade)")

        expect((yield* run(guildId, admin, "features enable", { feature: "welcome" })).content).toContain("is on")
        expect((yield* run(guildId, admin, "features list")).content).toMatch(/`welcome` .*: on/)
        expect((yield* run(guildId, admin, "features disable", { feature: "welcome" })).content).toContain("is off")
        expect((yield* run(guildId, admin, "features disable", { feature: "setup" })).content).toContain(
          "cannot be disabled"
        )
        expect((yield* run(guildId, admin, "features enable", { feature: "nope" })).content).toContain(
          "No feature 'nope'"
        )
      }))
  })
})

describe("/upgrade and /status", () => {
  layer(CommandRuntime)((it) => {
    it.effect("/upgrade answers a private Stripe link for the next plan up, with the bot's return pages", () =>
      Effect.gen(function*() {
        const { guildId } = yield* newGuild("free")
        const reply = yield* run(guildId, admin, "upgrade")
        expect(reply.ephemeral).toBe(true)
        expect(reply.content).toContain("Upgrade to the Basic plan: https://checkout.stripe.test/c/pay/cs_plan_basic")
        expect(gatewayCalls.stripePlans.at(-1)).toMatchObject({
          planKey: "basic",
          priceId: "price_basic",
          successUrl: links.checkoutSuccessUrl
        })

        expect((yield* run(guildId, admin, "upgrade", { plan: "premium" })).content).toContain(
          "'premium' plan is not sold through Stripe"
        )
        expect((yield* run(guildId, admin, "upgrade", { plan: "gold" })).content).toContain("Unknown plan 'gold'")
        const calls = gatewayCalls.stripePlans.length
        expect((yield* run(guildId, member(), "upgrade")).content).toContain("/upgrade is for admins")
        assert.strictEqual(gatewayCalls.stripePlans.length, calls)
      }))

    it.effect("/status shows the plan, today's usage against the limits and the member's own paid roles", () =>
      Effect.gen(function*() {
        const { guildId, tenantId } = yield* newGuild("premium")
        yield* paidRolesForSale(tenantId, guildId)
        const before = yield* run(guildId, member(), "status")
        expect(before.content).toContain("Premium plan (active)")
        expect(before.content).toMatch(/Commands today: \d+ \(limit 600 a minute\)/)
        expect(before.content).toContain("AI tokens today: 0 (limit 100,000 a day)")
        expect(before.content).toContain("Paid roles for sale: 2 of 10")
        expect(before.content).toContain("Your paid roles: none")

        const billing = yield* Billing
        yield* startClock // 2026-01-05: a subscription's version is its time, and 0 is older than anything
        yield* billing.ingest(stateChanged(
          { _tag: "MemberRole", tenantId, guildId, roleId: vip, userId: memberId },
          { status: "active", at: yield* DateTime.now }
        ))
        const after = yield* run(guildId, member(), "status")
        expect(after.content).toMatch(/Your paid roles:\n- @VIP: active until 2026-02-04/)
        // Another member's roles are theirs.
        expect((yield* run(guildId, admin, "status")).content).toContain("Your paid roles: none")
      }))
  })
})

describe("/purchase", () => {
  layer(CommandRuntime)((it) => {
    it.effect("answers a private Polar or Stripe link, or a SePay transfer with its code and QR", () =>
      Effect.gen(function*() {
        const { guildId, tenantId } = yield* newGuild("premium")
        yield* paidRolesForSale(tenantId, guildId)
        yield* run(guildId, admin, "features enable", { feature: "paid-roles" })
        yield* settle

        const polar = yield* run(guildId, member(), "purchase", { product: "vip", provider: "polar" })
        expect(polar.ephemeral).toBe(true)
        expect(polar.content).toContain(
          `Buy @VIP for 5.00 USD (Polar): https://polar.test/checkout/polar_c_${polarProduct}`
        )
        expect(gatewayCalls.polarRoles.at(-1)).toMatchObject({
          productId: polarProduct,
          successUrl: links.checkoutSuccessUrl
        })

        // Without a provider: the first the role is sold through.
        const stripe = yield* run(guildId, member(), "purchase", { product: `<@&${vip}>` })
        expect(stripe.content).toContain("(Stripe): https://checkout.stripe.test/c/pay/cs_role_price_vip")
        expect(gatewayCalls.stripeRoles.at(-1)!.metadata).toMatchObject({ role_id: vip, user_id: memberId })

        const sepay = yield* run(guildId, member(), "purchase", { product: "Supporter" })
        expect(sepay.content).toContain("Amount: 99,000 VND")
        expect(sepay.content).toMatch(/Transfer content \(exactly\): \*\*GH[0-9A-Z]{8}\*\*/)
        expect(sepay.content).toContain("Account: 0123456789 (bank MBBank)")
        expect(sepay.content).toMatch(/QR code: https:\/\/\S+/)

        expect((yield* run(guildId, member(), "purchase", { product: "Gold" })).content).toContain(
          "For sale: Supporter (99,000 VND), VIP (5.00 USD)"
        )
        expect((yield* run(guildId, member(), "purchase", { product: "vip", provider: "sepay" })).content).toContain(
          "not sold through sepay"
        )
      }))
  })
})
