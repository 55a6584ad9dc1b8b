import { Config, Option, Redacted } from "effect"
import Stripe from "stripe"

/** How Guildhall reaches the operator's Stripe account; every field is optional (Stripe is then off). */
export interface StripeSettings {
  /** STRIPE_SECRET: a secret (sk_) or restricted (rk_) key. None: every Stripe call fails `not_configured`. */
  readonly secretKey: Option.Option<Redacted.Redacted<string>>
  /** STRIPE_WEBHOOK_SECRET: the endpoint's signing secret (whsec_). None: every webhook is rejected. */
  readonly webhookSecret: Option.Option<Redacted.Redacted<string>>
  /** STRIPE_API_BASE: another address for the API (a local fake in tests); None: api.stripe.com. */
  readonly apiBase: Option.Option<URL>
}

// An empty variable (`STRIPE_SECRET=` in a compose file) means "not set", not "a blank key".
const optionalSecret = (name: string) =>
  Config.option(Config.redacted(name)).pipe(
    Config.map(Option.filter((value) => Redacted.value(value).trim() !== ""))
  )

export const stripeSettingsConfig: Config.Config<StripeSettings> = Config.all({
  secretKey: optionalSecret("STRIPE_SECRET"),
  webhookSecret: optionalSecret("STRIPE_WEBHOOK_SECRET"),
  apiBase: Config.option(Config.url("STRIPE_API_BASE"))
})

/** live for sk_live_/rk_live_ keys; test otherwise (sk_test_, rk_test_ and anything a fake accepts). */
export type StripeKeyMode = "live" | "test"

export const keyMode = (secretKey: Redacted.Redacted<string>): StripeKeyMode =>
  /^(sk|rk)_live_/.test(Redacted.value(secretKey)) ? "live" : "test"

/**
 * The SDK client. Production and tests take the same path; only the address
 * differs. One network retry: the SDK adds an idempotency key to retried
 * POSTs, and a webhook's re-fetch that still fails is retried by Stripe itself.
 */
export const makeStripeClient = (secretKey: Redacted.Redacted<string>, apiBase: Option.Option<URL>): Stripe => {
  const address = Option.match(apiBase, {
    onNone: () => ({}),
    onSome: (url) => ({
      host: url.hostname,
      port: url.port === "" ? (url.protocol === "http:" ? 80 : 443) : Number(url.port),
      protocol: url.protocol === "http:" ? "http" as const : "https" as const
    })
  })
  return new Stripe(Redacted.value(secretKey), {
    ...address,
    // Pinned, so a change of the account's default version cannot change the objects we parse.
    apiVersion: Stripe.API_VERSION,
    maxNetworkRetries: 1,
    telemetry: false,
    appInfo: { name: "guildhall" }
  })
}
