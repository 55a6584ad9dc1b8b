import { Context, Effect, Layer, Option, Redacted } from "effect"
import { InvalidInput } from "../errors.js"
import type { TenantId } from "../ids.js"
import { Crypto } from "../ports/Crypto.js"
import { GuildRepo } from "../ports/GuildRepo.js"
import { PaidRoleRepo } from "../ports/PaidRoleRepo.js"
import { PaymentSettingsRepo } from "../ports/PaymentSettingsRepo.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import { TenantNotFound } from "../tenancy/errors.js"
import { SepaySellsVndOnly } from "./errors.js"
import { unsellableOverSepay } from "./PaidRole.js"
import type { SepaySettings, TenantPaymentSettings } from "./PaymentSettings.js"

/** What a tenant's admins may see of their provider setup: never a secret. */
export interface PaymentSetupView {
  readonly polar: { readonly configured: boolean }
  readonly sepay: {
    readonly configured: boolean
    readonly auth: "api_key" | "hmac" | null
    readonly settings: SepaySettings | null
  }
}

const viewOf = (settings: Option.Option<TenantPaymentSettings>): PaymentSetupView => {
  const stored = Option.getOrNull(settings)
  const sepay = stored?.sepay ?? null
  return {
    polar: { configured: stored?.polar != null },
    sepay: {
      configured: sepay !== null,
      auth: sepay === null ? null : sepay.apiKeyHash !== null ? "api_key" : "hmac",
      settings: sepay?.settings ?? null
    }
  }
}

const make = Effect.gen(function*() {
  const repo = yield* PaymentSettingsRepo
  const tenants = yield* TenantRepo
  const crypto = yield* Crypto
  const guilds = yield* GuildRepo
  const roles = yield* PaidRoleRepo

  /** The tenant's roles that say they are sold over SePay at a price it cannot take (stored before the check). */
  const rolesSepayCannotSell = (tenantId: TenantId) =>
    Effect.gen(function*() {
      const all = yield* Effect.forEach(yield* guilds.listByTenant(tenantId), (guild) =>
        roles.list(tenantId, guild.guildId))
      return unsellableOverSepay(all.flat())
    })

  const current = (tenantId: TenantId) =>
    Effect.gen(function*() {
      if (Option.isNone(yield* tenants.findById(tenantId))) return yield* TenantNotFound.of(tenantId)
      const stored = yield* repo.get(tenantId)
      return Option.getOrElse(stored, (): TenantPaymentSettings => ({ tenantId, polar: null, sepay: null }))
    })

  const view = (tenantId: TenantId) => Effect.map(current(tenantId), (settings) => viewOf(Option.some(settings)))

  /** The tenant's Polar organization token (for checkouts) and its endpoint's webhook secret. */
  const configurePolar = (
    tenantId: TenantId,
    polar: { readonly accessToken: Redacted.Redacted<string>; readonly webhookSecret: Redacted.Redacted<string> }
  ) =>
    Effect.gen(function*() {
      const settings = { ...(yield* current(tenantId)), polar }
      yield* repo.put(settings)
      return viewOf(Option.some(settings))
    })

  /**
   * How the tenant's SePay orders look and are paid, and how its webhook is
   * authenticated: an API key (kept only as its SHA-256) or an HMAC secret.
   */
  const configureSepay = (
    tenantId: TenantId,
    sepay: {
      readonly settings: SepaySettings
      readonly apiKey: Redacted.Redacted<string> | undefined
      readonly hmacSecret: Redacted.Redacted<string> | undefined
    }
  ) =>
    Effect.gen(function*() {
      if ((sepay.apiKey === undefined) === (sepay.hmacSecret === undefined)) {
        return yield* new InvalidInput({
          message: "Give exactly one of apiKey (SePay's 'Apikey' authentication) or hmacSecret (its HMAC signature)"
        })
      }
      const unsellable = yield* rolesSepayCannotSell(tenantId)
      if (unsellable.length > 0) {
        return yield* SepaySellsVndOnly.of(unsellable.map((role) => ({ ...role, currency: role.price.currency })))
      }
      const settings: TenantPaymentSettings = {
        ...(yield* current(tenantId)),
        sepay: {
          settings: sepay.settings,
          apiKeyHash: sepay.apiKey === undefined ? null : crypto.sha256Hex(Redacted.value(sepay.apiKey)),
          hmacSecret: sepay.hmacSecret ?? null
        }
      }
      yield* repo.put(settings)
      return viewOf(Option.some(settings))
    })

  return { view, configurePolar, configureSepay } as const
})

/** A tenant's payment providers for paid roles (Polar, SePay): configured by its admins, secrets never shown again. */
export interface PaymentSetupService {
  readonly view: (tenantId: TenantId) => Effect.Effect<PaymentSetupView, TenantNotFound>
  /** The tenant's Polar organization token (for checkouts) and its endpoint's webhook secret. */
  readonly configurePolar: (
    tenantId: TenantId,
    polar: { readonly accessToken: Redacted.Redacted<string>; readonly webhookSecret: Redacted.Redacted<string> }
  ) => Effect.Effect<PaymentSetupView, TenantNotFound>
  /** SePay's order settings and webhook authentication: exactly one of an API key or an HMAC secret. */
  readonly configureSepay: (
    tenantId: TenantId,
    sepay: {
      readonly settings: SepaySettings
      readonly apiKey: Redacted.Redacted<string> | undefined
      readonly hmacSecret: Redacted.Redacted<string> | undefined
    }
  ) => Effect.Effect<PaymentSetupView, InvalidInput | TenantNotFound | SepaySellsVndOnly>
}

export class PaymentSetup extends Context.Tag("core/PaymentSetup")<PaymentSetup, PaymentSetupService>() {
  static readonly layer = Layer.effect(PaymentSetup, make)
}
