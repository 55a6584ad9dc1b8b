import { type Redacted, Schema } from "effect"
import { type TenantId } from "../ids.js"

/** A bank account SePay watches, that members pay a guild's orders into. */
export const ReceivingAccount = Schema.Struct({
  accountNumber: Schema.String.pipe(Schema.pattern(/^[0-9A-Za-z]{4,32}$/, {
    message: () => "Expected a bank account number of 4 to 32 letters or digits"
  })),
  /** The bank's short code for VietQR (e.g. MBBank, VCB, ACB). */
  bankCode: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9]{2,20}$/, {
    message: () => "Expected a bank code such as MBBank or VCB"
  })),
  /** For the weighted strategy; 0 takes the account out of rotation. */
  weight: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 1000)), { default: () => 1 }),
  /** For the time_based strategy: the hours (Vietnam time, [from, to)) the account is used in. */
  hours: Schema.optionalWith(
    Schema.NullOr(
      Schema.Struct({ from: Schema.Int.pipe(Schema.between(0, 23)), to: Schema.Int.pipe(Schema.between(1, 24)) })
    ),
    { default: () => null }
  )
})
export type ReceivingAccount = typeof ReceivingAccount.Type

export const RotationStrategy = Schema.Literal("round_robin", "random", "weighted", "time_based")
export type RotationStrategy = typeof RotationStrategy.Type

/** How a tenant's SePay orders look and where they are paid to. */
export const SepaySettings = Schema.Struct({
  /** 2-5 letters that start every payment code (SePay extracts the code from the transfer content). */
  codePrefix: Schema.String.pipe(Schema.pattern(/^[A-Za-z]{2,5}$/, {
    message: () => "Expected a payment code prefix of 2 to 5 letters, e.g. GH"
  })),
  suffixLength: Schema.optionalWith(Schema.Int.pipe(Schema.between(4, 16)), { default: () => 8 }),
  suffixAlphabet: Schema.optionalWith(Schema.Literal("digits", "alphanumeric"), { default: () => "alphanumeric" }),
  rotation: Schema.optionalWith(RotationStrategy, { default: () => "round_robin" }),
  accounts: Schema.NonEmptyArray(ReceivingAccount),
  /** Minutes an order waits for its transfer before it expires. */
  orderTtlMinutes: Schema.optionalWith(Schema.Int.pipe(Schema.between(5, 10080)), { default: () => 1440 })
})
export type SepaySettings = typeof SepaySettings.Type

/**
 * A tenant's payment-provider configuration. Secrets that are only verified
 * (the SePay API key) are stored as a SHA-256 hash; secrets needed to sign or
 * call (webhook HMAC secrets, the Polar token) are kept and only ever handled
 * as Redacted.
 */
export interface TenantPaymentSettings {
  readonly tenantId: TenantId
  readonly polar: {
    readonly accessToken: Redacted.Redacted<string>
    /** The Standard Webhooks secret Polar shows for the endpoint. */
    readonly webhookSecret: Redacted.Redacted<string>
  } | null
  readonly sepay: {
    readonly settings: SepaySettings
    /** SHA-256 (hex) of the `Authorization: Apikey` key; null when the webhook is HMAC-signed instead. */
    readonly apiKeyHash: string | null
    /** The HMAC secret for X-SePay-Signature; null when the webhook uses the API key instead. */
    readonly hmacSecret: Redacted.Redacted<string> | null
  } | null
}
