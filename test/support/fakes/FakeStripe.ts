/**
 * A local Stripe that the real SDK talks to over HTTP (point it here with
 * STRIPE_API_BASE=fake.url). It speaks Stripe's wire format: form-encoded
 * bodies with nested `a[b][c]` / `items[0][price]` keys, JSON objects with
 * `object` fields, and Stripe's error body `{ error: { type, code, message,
 * param } }` with its status codes. It serves only what Guildhall calls:
 *
 *   POST /v1/checkout/sessions          POST /v1/billing_portal/sessions
 *   GET  /v1/subscriptions/:id          POST /v1/subscriptions/:id
 *   POST /v1/billing/meter_events       (identifier deduplicated, as Stripe does)
 *   GET  /v1/invoice_payments?payment[type]=payment_intent&payment[payment_intent]=pi_...
 *
 * Every request is recorded (method, path, parsed body, headers). Tests seed
 * subscriptions, sign webhook bodies with the SDK's own test signer, and build
 * realistic event payloads with the builders below.
 *
 * Use: `startFakeStripe()` / `fake.close()` from anywhere (an HTTP end-to-end
 * test, a benchmark), or `FakeStripe.layer` (scoped) with `yield* FakeStripe`
 * in Effect tests.
 */
import { Context, Effect, Layer } from "effect"
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import Stripe from "stripe"

export interface RecordedRequest {
  readonly method: string
  /** The path without the query string, e.g. /v1/subscriptions/sub_123. */
  readonly path: string
  /** The form body (or query string for GET), decoded into nested objects and arrays. */
  readonly body: Record<string, unknown>
  readonly headers: IncomingHttpHeaders
}

export interface FakeStripeServer {
  /** http://127.0.0.1:<port>: the value for STRIPE_API_BASE. */
  readonly url: string
  readonly requests: ReadonlyArray<RecordedRequest>
  /** Requests whose path starts with `prefix` (and method, if given). */
  readonly requestsTo: (prefix: string, method?: string) => ReadonlyArray<RecordedRequest>
  /** Puts (or replaces) a subscription that GET/POST /v1/subscriptions/:id will serve. */
  readonly seedSubscription: (subscription: FakeSubscription) => void
  readonly subscription: (id: string) => FakeSubscription | undefined
  /** Records that `paymentIntentId` paid `invoice` (what GET /v1/invoice_payments finds). */
  readonly seedInvoicePayment: (paymentIntentId: string, invoice: Stripe.Invoice) => void
  /** While on, every request answers 500 api_error (Stripe having an incident). */
  readonly setOutage: (on: boolean) => void
  readonly close: () => Promise<void>
}

let sequence = 0
/** Stripe-looking ids, unique within the process. */
export const fakeId = (prefix: string) =>
  `${prefix}_test_${Date.now().toString(36)}${(++sequence).toString(36).padStart(6, "0")}`

// ---------------------------------------------------------------------------
// Stripe's form encoding

/** Decodes `a[b][0][c]=v` pairs the way Stripe does: numeric segments are array indexes. */
export const parseStripeForm = (text: string): Record<string, unknown> => {
  const root: Record<string, unknown> = {}
  for (const [key, value] of new URLSearchParams(text)) {
    const segments = key.replace(/\]/g, "").split("[")
    let node: Record<string, unknown> | Array<unknown> = root
    segments.forEach((segment, index) => {
      const last = index === segments.length - 1
      const slot = Array.isArray(node) ? Number(segment) : segment
      if (last) {
        ;(node as Record<string | number, unknown>)[slot] = value
        return
      }
      const nextIsIndex = /^\d+$/.test(segments[index + 1]!)
      const existing = (node as Record<string | number, unknown>)[slot]
      if (typeof existing !== "object" || existing === null) {
        ;(node as Record<string | number, unknown>)[slot] = nextIsIndex ? [] : {}
      }
      node = (node as Record<string | number, unknown>)[slot] as Record<string, unknown> | Array<unknown>
    })
  }
  return root
}

// ---------------------------------------------------------------------------
// Object builders (the fields Guildhall reads, plus enough of the rest to look real)

export interface SubscriptionOptions {
  readonly id?: string
  readonly customer?: string
  readonly status?: Stripe.Subscription.Status
  readonly priceId?: string
  readonly metadata?: Record<string, string>
  /** Unix seconds. */
  readonly currentPeriodEnd?: number
  readonly cancelAtPeriodEnd?: boolean
  /** Unix seconds. */
  readonly trialEnd?: number | null
  readonly livemode?: boolean
  /** Unix seconds. */
  readonly created?: number
}

export type FakeSubscription = Stripe.Subscription

export const subscriptionObject = (options: SubscriptionOptions = {}): FakeSubscription => {
  const id = options.id ?? fakeId("sub")
  const created = options.created ?? 1_767_225_600
  const periodEnd = options.currentPeriodEnd ?? created + 30 * 86_400
  const priceId = options.priceId ?? "price_test_basic"
  const subscription = {
    id,
    object: "subscription",
    billing_cycle_anchor: created,
    cancel_at: null,
    cancel_at_period_end: options.cancelAtPeriodEnd ?? false,
    canceled_at: null,
    collection_method: "charge_automatically",
    created,
    currency: "usd",
    customer: options.customer ?? "cus_test_default",
    ended_at: null,
    items: {
      object: "list",
      data: [{
        id: `si_${id.slice(4)}`,
        object: "subscription_item",
        created,
        current_period_start: periodEnd - 30 * 86_400,
        current_period_end: periodEnd,
        metadata: {},
        price: {
          id: priceId,
          object: "price",
          active: true,
          currency: "usd",
          product: "prod_test_guildhall",
          recurring: { interval: "month", interval_count: 1, usage_type: "licensed" },
          type: "recurring",
          unit_amount: 1900
        },
        quantity: 1,
        subscription: id
      }],
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`
    },
    latest_invoice: null,
    livemode: options.livemode ?? false,
    metadata: options.metadata ?? {},
    start_date: created,
    status: options.status ?? "active",
    trial_end: options.trialEnd ?? null,
    trial_start: options.trialEnd ? created : null
  }
  return subscription as unknown as FakeSubscription
}

export const invoiceObject = (options: {
  readonly id?: string
  readonly subscription: string | null
  readonly customer?: string
  readonly amountDue?: number
  readonly amountPaid?: number
  readonly currency?: string
  /** The subscription's metadata as Stripe copied it when the invoice was finalized. */
  readonly subscriptionMetadata?: Record<string, string>
}): Stripe.Invoice =>
  ({
    id: options.id ?? fakeId("in"),
    object: "invoice",
    amount_due: options.amountDue ?? 1900,
    amount_paid: options.amountPaid ?? 1900,
    amount_remaining: 0,
    billing_reason: "subscription_cycle",
    collection_method: "charge_automatically",
    created: 1_767_225_600,
    currency: options.currency ?? "usd",
    customer: options.customer ?? "cus_test_default",
    livemode: false,
    metadata: {},
    parent: options.subscription === null ? null : {
      type: "subscription_details",
      quote_details: null,
      subscription_details: { metadata: options.subscriptionMetadata ?? {}, subscription: options.subscription }
    },
    period_end: 1_767_225_600,
    period_start: 1_764_547_200,
    status: "paid"
  }) as unknown as Stripe.Invoice

export const checkoutSessionObject = (options: {
  readonly id?: string
  readonly clientReferenceId?: string | null
  readonly customer?: string | null
  readonly subscription?: string | null
  readonly metadata?: Record<string, string>
  readonly mode?: "subscription" | "payment"
  readonly paymentStatus?: "paid" | "unpaid" | "no_payment_required"
  readonly amountTotal?: number
  readonly currency?: string
}): Stripe.Checkout.Session =>
  ({
    id: options.id ?? fakeId("cs"),
    object: "checkout.session",
    amount_total: options.amountTotal ?? 0,
    client_reference_id: options.clientReferenceId ?? null,
    created: 1_767_225_600,
    currency: options.currency ?? "usd",
    customer: options.customer ?? null,
    livemode: false,
    metadata: options.metadata ?? {},
    mode: options.mode ?? "subscription",
    payment_status: options.paymentStatus ?? "paid",
    status: "complete",
    subscription: options.subscription ?? null,
    url: null
  }) as unknown as Stripe.Checkout.Session

export const chargeObject = (options: {
  readonly id?: string
  readonly metadata?: Record<string, string>
  readonly amountRefunded?: number
  readonly paymentIntent?: string
}): Stripe.Charge =>
  ({
    id: options.id ?? fakeId("ch"),
    object: "charge",
    amount: 1900,
    amount_refunded: options.amountRefunded ?? 1900,
    currency: "usd",
    customer: "cus_test_default",
    livemode: false,
    metadata: options.metadata ?? {},
    payment_intent: options.paymentIntent ?? fakeId("pi"),
    refunded: true,
    status: "succeeded"
  }) as unknown as Stripe.Charge

export const refundObject = (options: {
  readonly id?: string
  readonly metadata?: Record<string, string> | null
  readonly paymentIntent?: string
}) =>
  ({
    id: options.id ?? fakeId("re"),
    object: "refund",
    amount: 1900,
    charge: fakeId("ch"),
    created: 1_767_225_600,
    currency: "usd",
    metadata: options.metadata === undefined ? {} : options.metadata,
    payment_intent: options.paymentIntent ?? fakeId("pi"),
    status: "succeeded"
  }) as unknown as Stripe.Refund

export const disputeObject = (options: {
  readonly id?: string
  readonly metadata?: Record<string, string>
  readonly paymentIntent?: string
}) =>
  ({
    id: options.id ?? fakeId("dp"),
    object: "dispute",
    amount: 1900,
    charge: fakeId("ch"),
    created: 1_767_225_600,
    currency: "usd",
    livemode: false,
    metadata: options.metadata ?? {},
    payment_intent: options.paymentIntent ?? fakeId("pi"),
    reason: "fraudulent",
    status: "needs_response"
  }) as unknown as Stripe.Dispute

/** An event as Stripe sends it (a snapshot event of the pinned API version). */
export const stripeEvent = (
  type: string,
  object: unknown,
  options: { readonly id?: string; readonly created?: number; readonly livemode?: boolean } = {}
) => ({
  id: options.id ?? fakeId("evt"),
  object: "event",
  api_version: Stripe.API_VERSION,
  created: options.created ?? 1_767_225_600,
  data: { object },
  livemode: options.livemode ?? false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  type
})

/** The `Stripe-Signature` header Stripe would send for `payload` (t=<unix>,v1=<hex>), from the SDK's own signer. */
export const signWebhook = (payload: string, secret: string, timestamp?: number): string =>
  Stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(timestamp === undefined ? {} : { timestamp })
  })

// ---------------------------------------------------------------------------
// The server

const stripeError = (
  response: ServerResponse,
  status: number,
  error: { readonly type: string; readonly message: string; readonly code?: string; readonly param?: string }
) => {
  response.writeHead(status, {
    "content-type": "application/json",
    "request-id": fakeId("req"),
    // Stripe tells the SDK not to retry a request it refused.
    ...(status < 500 ? { "stripe-should-retry": "false" } : {})
  })
  response.end(
    JSON.stringify({ error: { ...error, doc_url: `https://docs.stripe.com/error-codes/${error.code ?? ""}` } })
  )
}

const json = (response: ServerResponse, body: unknown) => {
  response.writeHead(200, { "content-type": "application/json", "request-id": fakeId("req") })
  response.end(JSON.stringify(body))
}

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    request.on("error", reject)
  })

const asRecord = (value: unknown): Record<string, string> =>
  typeof value === "object" && value !== null ? value as Record<string, string> : {}

export const startFakeStripe = async (): Promise<FakeStripeServer> => {
  const requests: Array<RecordedRequest> = []
  const subscriptions = new Map<string, FakeSubscription>()
  const meterIdentifiers = new Set<string>()
  const invoicePayments = new Map<string, Stripe.Invoice>()
  let outage = false

  const missing = (response: ServerResponse, what: string, id: string, param = "id") =>
    stripeError(response, 404, {
      type: "invalid_request_error",
      code: "resource_missing",
      message: `No such ${what}: '${id}'`,
      param
    })

  const required = (response: ServerResponse, body: Record<string, unknown>, param: string) => {
    if (body[param] !== undefined) return true
    stripeError(response, 400, {
      type: "invalid_request_error",
      code: "parameter_missing",
      message: `Missing required param: ${param}.`,
      param
    })
    return false
  }

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1")
    const method = request.method ?? "GET"
    const text = method === "GET" ? url.search.slice(1) : await readBody(request)
    const body = parseStripeForm(text)
    requests.push({ method, path: url.pathname, body, headers: request.headers })

    const key = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1]
    if (key === undefined || !/^(sk|rk)_(test|live)_/.test(key)) {
      return stripeError(response, 401, {
        type: "invalid_request_error",
        message: `Invalid API Key provided: ${(key ?? "").slice(0, 8)}****`
      })
    }
    if (outage) {
      return stripeError(response, 500, { type: "api_error", message: "An unknown error occurred" })
    }

    const path = url.pathname
    if (method === "POST" && path === "/v1/checkout/sessions") {
      if (!required(response, body, "mode")) return
      const id = fakeId("cs")
      return json(response, {
        id,
        object: "checkout.session",
        client_reference_id: body["client_reference_id"] ?? null,
        customer: body["customer"] ?? null,
        metadata: asRecord(body["metadata"]),
        mode: body["mode"],
        payment_status: "unpaid",
        status: "open",
        subscription: null,
        success_url: body["success_url"] ?? null,
        cancel_url: body["cancel_url"] ?? null,
        livemode: key.includes("_live_"),
        url: `https://checkout.stripe.com/c/pay/${id}`
      })
    }

    if (method === "POST" && path === "/v1/billing_portal/sessions") {
      if (!required(response, body, "customer")) return
      const id = fakeId("bps")
      return json(response, {
        id,
        object: "billing_portal.session",
        customer: body["customer"],
        return_url: body["return_url"] ?? null,
        livemode: key.includes("_live_"),
        url: `https://billing.stripe.com/p/session/${id}`
      })
    }

    const subscriptionPath = /^\/v1\/subscriptions\/([^/]+)$/.exec(path)
    if (subscriptionPath !== null) {
      const id = decodeURIComponent(subscriptionPath[1]!)
      const current = subscriptions.get(id)
      if (current === undefined) return missing(response, "subscription", id)
      if (method === "GET") return json(response, current)
      if (method === "POST") {
        const updated = structuredClone(current)
        const items = Array.isArray(body["items"]) ? body["items"] as Array<Record<string, unknown>> : []
        for (const change of items) {
          const item = updated.items.data.find((existing) => existing.id === change["id"])
          if (item === undefined) {
            return missing(response, "subscription item", String(change["id"]), "items[0][id]")
          }
          if (typeof change["price"] === "string") {
            item.price = { ...item.price, id: change["price"] }
          }
        }
        if (body["metadata"] !== undefined) updated.metadata = { ...updated.metadata, ...asRecord(body["metadata"]) }
        if (body["cancel_at_period_end"] !== undefined) {
          updated.cancel_at_period_end = body["cancel_at_period_end"] === "true"
        }
        subscriptions.set(id, updated)
        return json(response, updated)
      }
    }

    if (method === "GET" && path === "/v1/invoice_payments") {
      const payment = asRecord(body["payment"])
      const paymentIntent = payment["payment_intent"]
      const invoice = paymentIntent === undefined ? undefined : invoicePayments.get(paymentIntent)
      const expand = Array.isArray(body["expand"]) ? body["expand"] as Array<string> : []
      return json(response, {
        object: "list",
        data: invoice === undefined ? [] : [{
          id: `inpay_${invoice.id.slice(3)}`,
          object: "invoice_payment",
          amount_paid: invoice.amount_paid,
          amount_requested: invoice.amount_due,
          currency: invoice.currency,
          invoice: expand.includes("data.invoice") ? invoice : invoice.id,
          is_default: true,
          livemode: false,
          payment: { type: "payment_intent", payment_intent: paymentIntent },
          status: "paid"
        }],
        has_more: false,
        url: "/v1/invoice_payments"
      })
    }

    if (method === "POST" && path === "/v1/billing/meter_events") {
      if (!required(response, body, "event_name") || !required(response, body, "payload")) return
      const identifier = typeof body["identifier"] === "string" ? body["identifier"] : fakeId("mev")
      if (meterIdentifiers.has(identifier)) {
        // What Stripe answers a repeated identifier within its (at least) 24 h window.
        return stripeError(response, 400, {
          type: "invalid_request_error",
          code: "duplicate_meter_event",
          message: `An event already exists with identifier ${identifier}.`,
          param: "identifier"
        })
      }
      meterIdentifiers.add(identifier)
      const now = Math.floor(Date.now() / 1000)
      return json(response, {
        object: "billing.meter_event",
        created: now,
        event_name: body["event_name"],
        identifier,
        livemode: key.includes("_live_"),
        payload: asRecord(body["payload"]),
        timestamp: body["timestamp"] === undefined ? now : Number(body["timestamp"])
      })
    }

    return stripeError(response, 404, {
      type: "invalid_request_error",
      message: `Unrecognized request URL (${method}: ${path}). This fake serves only what Guildhall calls.`
    })
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      stripeError(response, 500, { type: "api_error", message: String(error) })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    requestsTo: (prefix, method) =>
      requests.filter((request) =>
        request.path.startsWith(prefix) && (method === undefined || request.method === method)
      ),
    seedSubscription: (subscription) => {
      subscriptions.set(subscription.id, structuredClone(subscription))
    },
    subscription: (id) => subscriptions.get(id),
    seedInvoicePayment: (paymentIntentId, invoice) => {
      invoicePayments.set(paymentIntentId, structuredClone(invoice))
    },
    setOutage: (on) => {
      outage = on
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      })
  }
}

/** The fake as a scoped service: started when the layer is built, closed with its scope. */
export class FakeStripe extends Context.Tag("test/FakeStripe")<FakeStripe, FakeStripeServer>() {
  static readonly layer = Layer.scoped(
    FakeStripe,
    Effect.acquireRelease(Effect.promise(startFakeStripe), (fake) => Effect.promise(fake.close))
  )
}
