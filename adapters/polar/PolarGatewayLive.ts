import { createPolar } from "@polar-sh/sdk/2026-10"
import { Effect, Layer, Redacted } from "effect"
import { PaymentProviderError, PolarGateway, type PolarGatewayService } from "../../core/index.js"
import { type PolarSettings, PolarSettingsConfig } from "./PolarSettings.js"

const providerError = (reason: "rejected" | "unavailable", message: string) =>
  new PaymentProviderError({ provider: "polar", reason, message })

/** Polar's explanation from an error body: 422 `{ detail: [{ loc, msg }] }`, or `{ detail }` / `{ error_description }`. */
const explain = (body: unknown): string => {
  const parsed = typeof body === "string" ? safeJson(body) : body
  if (typeof parsed !== "object" || parsed === null) return typeof body === "string" ? body.slice(0, 300) : ""
  const record = parsed as Record<string, unknown>
  if (Array.isArray(record.detail)) {
    return record.detail.map((issue: unknown) => {
      const { loc, msg } = (issue ?? {}) as { loc?: unknown; msg?: unknown }
      const where = Array.isArray(loc) ? loc.filter((part) => part !== "body").join(".") : ""
      return where === "" ? String(msg) : `${where}: ${String(msg)}`
    }).join("; ")
  }
  for (const key of ["detail", "error_description", "error"]) {
    if (typeof record[key] === "string") return record[key]
  }
  return JSON.stringify(parsed).slice(0, 300)
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * A 4xx other than 429 is Polar refusing the request (bad token, unknown
 * product): retrying will not help, so it is `rejected` with Polar's reason.
 * Anything else (5xx, 429, network, timeout) is `unavailable`.
 */
const toProviderError = (error: unknown): PaymentProviderError => {
  const { statusCode, error: body } = (error ?? {}) as { statusCode?: unknown; error?: unknown }
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500 && statusCode !== 429) {
    const reason = explain(body)
    return providerError("rejected", `Polar refused the checkout (${statusCode})${reason === "" ? "" : `: ${reason}`}`)
  }
  const message = error instanceof Error ? error.message : String(error)
  return providerError("unavailable", `Polar is unavailable, try again later (${message.slice(0, 300)})`)
}

export const makePolarGateway = (settings: PolarSettings): PolarGatewayService => ({
  roleCheckout: (request) =>
    Effect.tryPromise({
      try: () =>
        // A client per call: each tenant sells with its own organization token,
        // revealed only here.
        createPolar({
          accessToken: Redacted.value(request.accessToken),
          ...(settings.apiBase === undefined ? {} : { baseUrl: settings.apiBase })
        }).checkouts.create({
          products: [request.productId],
          external_customer_id: request.externalCustomerId,
          metadata: { ...request.metadata },
          success_url: request.successUrl
        }),
      catch: toProviderError
    }).pipe(
      Effect.flatMap((checkout) =>
        typeof checkout?.url === "string" && typeof checkout.id === "string"
          ? Effect.succeed({ url: checkout.url, checkoutId: checkout.id })
          : Effect.fail(providerError("unavailable", "Polar answered a checkout without an id or url"))
      ),
      Effect.withSpan("PolarGateway.roleCheckout")
    )
})

/** PolarGateway from POLAR_API_BASE (optional). */
export const PolarGatewayLive = Layer.effect(PolarGateway, Effect.map(PolarSettingsConfig, makePolarGateway))

/** PolarGateway with explicit settings (tests, embedding). */
export const PolarGatewayOf = (settings: PolarSettings) => Layer.succeed(PolarGateway, makePolarGateway(settings))
