import { Effect, Layer, Redacted } from "effect"
import { ReadinessMemory } from "../../adapters/memory/index.js"
import {
  Currency,
  type GuildId,
  type PaidRoleInput,
  type RoleId,
  type SepaySettings,
  type TenantId,
  type UserId
} from "../../core/index.js"
import { settingsFor, TestPlans } from "../stripe/support.js"
import { FakeStripe } from "../support/fakes/FakeStripe.js"
import { signPolarWebhook } from "../support/fakes/signing.js"
import { makeTestServer, postRaw, type TestProviders } from "./harness.js"

/**
 * What the payment end-to-end tests share: a server whose real Stripe SDK
 * talks to a FakeStripe, and the bodies Polar and SePay send.
 */

/** The test server with Stripe configured against a FakeStripe (basic and premium sold on Stripe). */
export const stripeTestServer = (providers: Partial<TestProviders> = {}) =>
  Layer.unwrapEffect(
    Effect.map(FakeStripe, (fake) =>
      makeTestServer(ReadinessMemory, { stripe: settingsFor(fake), plans: TestPlans, ...providers }))
  ).pipe(Layer.provideMerge(FakeStripe.layer))

export const nowSeconds = () => Math.floor(Date.now() / 1000)

// ---------------------------------------------------------------------------
// Paid roles

export const roleId = (n: number) => `70000000000000${String(n).padStart(4, "0")}` as RoleId
export const memberId = (n: number) => `80000000000000${String(n).padStart(4, "0")}` as UserId
export const polarProductId = "6f1d3c2b-8a9e-4f70-b1c2-d3e4f5a6b7c8"

/** A role sold through the given providers (10 USD, or 50,000 VND for SePay passes). */
export const paidRoleInput = (sold: {
  readonly stripe?: boolean
  readonly polar?: boolean
  readonly sepayPassDays?: number
}): PaidRoleInput => ({
  name: "Supporter",
  price: sold.sepayPassDays === undefined
    ? { minor: 1000, currency: Currency.make("USD") }
    : { minor: 50_000, currency: Currency.make("VND") },
  stripePriceId: sold.stripe === true ? "price_supporter" : null,
  polarProductId: sold.polar === true ? polarProductId : null,
  sepayPassDays: sold.sepayPassDays ?? null,
  graceDays: 3
})

// ---------------------------------------------------------------------------
// Polar

export const polarToken = "polar_oat_test_acme"
export const polarSecret = "polar_whs_acme_endpoint_secret"
export const polarSettings = { accessToken: Redacted.make(polarToken), webhookSecret: Redacted.make(polarSecret) }

export interface RoleMetadata {
  readonly tenant_id: TenantId
  readonly guild_id: GuildId
  readonly role_id: RoleId
  readonly user_id: UserId
}

/** A Polar subscription event as Polar sends it, for the member role in `metadata`. */
export const polarSubscriptionEvent = (type: string, options: {
  readonly metadata: RoleMetadata | Record<string, string>
  /** Minutes after the subscription was created: what orders the events. */
  readonly modifiedAfterMinutes: number
  readonly status?: string
  readonly cancelAtPeriodEnd?: boolean
}) => {
  const created = Date.now() - 86_400_000
  const iso = (millis: number) => new Date(millis).toISOString()
  return JSON.stringify({
    type,
    timestamp: iso(Date.now()),
    data: {
      id: "2f0c4e1a-5b6d-4c7e-8f9a-0b1c2d3e4f5a",
      created_at: iso(created),
      modified_at: iso(created + options.modifiedAfterMinutes * 60_000),
      amount: 1000,
      currency: "usd",
      recurring_interval: "month",
      status: options.status ?? "active",
      current_period_start: iso(created),
      current_period_end: iso(created + 30 * 86_400_000),
      cancel_at_period_end: options.cancelAtPeriodEnd ?? false,
      customer_id: "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
      product_id: polarProductId,
      metadata: options.metadata
    }
  })
}

/** POST /webhooks/polar/:tenantId, signed with `secret` as Polar signs (the same `id` is a redelivery). */
export const postPolar = (
  tenantId: TenantId,
  body: string,
  options: { readonly id: string; readonly secret?: string }
) =>
  postRaw(
    `/webhooks/polar/${tenantId}`,
    body,
    signPolarWebhook({ secret: options.secret ?? polarSecret, body, id: options.id })
  )

// ---------------------------------------------------------------------------
// SePay

export const sepayApiKey = "sepay-acme-webhook-key"
export const sepayHmacSecret = "sepay-acme-hmac-secret"
export const receivingAccount = "0123499999"

export const sepaySettings: SepaySettings = {
  codePrefix: "GH",
  suffixLength: 8,
  suffixAlphabet: "alphanumeric",
  rotation: "round_robin",
  accounts: [{ accountNumber: receivingAccount, bankCode: "MBBank", weight: 1, hours: null }],
  orderTtlMinutes: 1440
}

/** "YYYY-MM-DD HH:mm:ss" in Vietnam time (UTC+7), as SePay writes transactionDate. */
const vietnamTime = (millis: number) => {
  const local = new Date(millis + 7 * 3_600_000).toISOString()
  return `${local.slice(0, 10)} ${local.slice(11, 19)}`
}

/** A SePay incoming-transfer notification that happened just now. */
export const sepayTransfer = (options: {
  readonly id: number
  /** What SePay extracted as the payment code (null: none; the content still carries `content`). */
  readonly code: string | null
  readonly amount: number
  readonly accountNumber?: string
  /** The member's transfer note; the code followed by a Vietnamese note by default. */
  readonly content?: string
}) =>
  JSON.stringify({
    id: options.id,
    gateway: "MBBank",
    transactionDate: vietnamTime(Date.now()),
    accountNumber: options.accountNumber ?? receivingAccount,
    code: options.code,
    content: options.content ?? `${options.code ?? ""} chuyển tiền mua role`,
    transferType: "in",
    transferAmount: options.amount,
    accumulated: 19_077_000,
    subAccount: null,
    referenceCode: `MBVCB.${options.id}`,
    description: `BankAPINotify ${options.content ?? `${options.code ?? ""} chuyển tiền mua role`}`
  })

/** POST /webhooks/sepay/:tenantId with exactly these headers. */
export const postSepay = (tenantId: TenantId, body: string, headers: Record<string, string>) =>
  postRaw(`/webhooks/sepay/${tenantId}`, body, headers)
