import { Effect, type Scope } from "effect"
import { randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A local stand-in for Polar's API (what @polar-sh/sdk's 2026-10 client calls):
 * `POST /v1/checkouts/` with Polar's success, 401 and 422 shapes. Every request
 * is recorded for assertions.
 */

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: unknown
}

export interface FakePolar {
  /** For the SDK's `baseUrl` (POLAR_API_BASE). */
  readonly baseUrl: string
  readonly requests: ReadonlyArray<RecordedRequest>
  /** While true, every request answers 503 (Polar down). */
  outage: boolean
}

export interface FakePolarOptions {
  /** Organization access tokens the fake accepts. */
  readonly tokens: ReadonlyArray<string>
  /** Product ids that exist. */
  readonly products: ReadonlyArray<string>
}

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { "content-type": "application/json" })
  response.end(JSON.stringify(body))
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    request.on("error", reject)
  })

const checkoutOf = (baseUrl: string, body: Record<string, unknown>) => {
  const id = randomUUID()
  const now = new Date().toISOString()
  const productId = Array.isArray(body.products) ? String(body.products[0]) : null
  return {
    id,
    created_at: now,
    modified_at: null,
    payment_processor: "stripe",
    status: "open",
    client_secret: `polar_c_${id.replaceAll("-", "")}`,
    url: `${baseUrl}/checkout/polar_c_${id.replaceAll("-", "")}`,
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    success_url: body.success_url ?? "",
    return_url: null,
    embed_origin: null,
    amount: 500,
    discount_amount: 0,
    net_amount: 500,
    tax_amount: null,
    tax_behavior: null,
    total_amount: 500,
    currency: "usd",
    organization_id: randomUUID(),
    product_id: productId,
    product_price_id: randomUUID(),
    customer_id: null,
    external_customer_id: body.external_customer_id ?? null,
    metadata: body.metadata ?? {},
    products: [],
    product: null,
    subscription_id: null
  }
}

export const FakePolar = {
  make: (options: FakePolarOptions): Effect.Effect<FakePolar, never, Scope.Scope> =>
    Effect.acquireRelease(
      Effect.async<{ readonly fake: FakePolar; readonly close: () => Promise<void> }>((resume) => {
        const requests: Array<RecordedRequest> = []
        let baseUrl = ""
        const fake: FakePolar = {
          get baseUrl() {
            return baseUrl
          },
          get requests() {
            return requests
          },
          outage: false
        }
        const server = createServer((request, response) => {
          void readBody(request).then((text) => {
            const path = new URL(request.url ?? "/", "http://fake").pathname
            let body: unknown = null
            try {
              body = text === "" ? null : JSON.parse(text)
            } catch {
              body = text
            }
            requests.push({ method: request.method ?? "", path, headers: request.headers, body })
            if (fake.outage) return json(response, 503, { error: "ServiceUnavailable" })
            const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1]
            if (token === undefined || !options.tokens.includes(token)) {
              return json(response, 401, {
                error: "invalid_token",
                error_description:
                  "The access token provided is expired, revoked, malformed, or invalid for other reasons."
              })
            }
            if (request.method === "POST" && path === "/v1/checkouts/") {
              const fields = (body ?? {}) as Record<string, unknown>
              const products = Array.isArray(fields.products) ? fields.products : []
              const missing = products.findIndex((product) => !options.products.includes(String(product)))
              if (products.length === 0 || missing >= 0) {
                return json(response, 422, {
                  detail: [{
                    type: "value_error",
                    loc: ["body", "products", Math.max(missing, 0)],
                    msg: "Product does not exist.",
                    input: products[Math.max(missing, 0)] ?? null
                  }]
                })
              }
              return json(response, 201, checkoutOf(baseUrl, fields))
            }
            return json(response, 404, { error: "ResourceNotFound", detail: "Not found" })
          })
        })
        server.listen(0, "127.0.0.1", () => {
          baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
          resume(Effect.succeed({
            fake,
            close: () =>
              new Promise<void>((resolve) => {
                server.closeAllConnections()
                server.close(() => resolve())
              })
          }))
        })
      }),
      (started) => Effect.promise(started.close)
    ).pipe(Effect.map((started) => started.fake))
}
