/**
 * The webhook bench's traffic: signed Polar subscription.active events and the
 * HTTP client that POSTs them. Used by the sender process
 * (bench/webhookSenders.ts) and, for the paced payment phase, by the bench
 * itself (bench/webhooks.ts).
 */
import { createHmac } from "node:crypto"
import { type Agent, request as httpRequest } from "node:http"

/** A tenant as the senders know it: where to POST and the secret to sign with. */
export interface TrafficTenant {
  readonly id: string
  readonly guildId: string
  readonly roleId: string
  readonly secret: string
}

export interface SentEvent {
  readonly tenant: TrafficTenant
  readonly member: number
  readonly webhookId: string
  readonly body: string
}

/** Polar's Standard Webhooks signature (as test/support/fakes/signing.ts signs it): HMAC keyed with the secret's UTF-8. */
const polarHeaders = (secret: string, webhookId: string, body: string): Record<string, string> => {
  const timestamp = Math.floor(Date.now() / 1000)
  const signature = createHmac("sha256", Buffer.from(secret, "utf8"))
    .update(`${webhookId}.${timestamp}.${body}`, "utf8")
    .digest("base64")
  return {
    "content-type": "application/json",
    "webhook-id": webhookId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": `v1,${signature}`
  }
}

export const snowflake = (prefix: string, index: number) => `${prefix}${String(index).padStart(17, "0")}`

/** The member's user id, and the tenant it pays: members are dealt to tenants in turn. */
export const memberOf = (tenants: ReadonlyArray<TrafficTenant>, member: number) => ({
  tenant: tenants[member % tenants.length]!,
  userId: snowflake("3", member)
})

/** A member's new subscription, active: a subscription row, and a GrantRole job. */
export const subscriptionActive = (tenants: ReadonlyArray<TrafficTenant>, member: number): SentEvent => {
  const { tenant, userId } = memberOf(tenants, member)
  const now = new Date().toISOString()
  const body = JSON.stringify({
    type: "subscription.active",
    timestamp: now,
    data: {
      id: `sub_bench_${member}`,
      created_at: now,
      modified_at: now,
      status: "active",
      amount: 500,
      currency: "usd",
      recurring_interval: "month",
      current_period_end: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      cancel_at_period_end: false,
      customer_id: `cus_bench_${member}`,
      metadata: { tenant_id: tenant.id, guild_id: tenant.guildId, role_id: tenant.roleId, user_id: userId }
    }
  })
  return { tenant, member, webhookId: `msg_bench_${member}`, body }
}

export interface Response {
  readonly status: number
  readonly body: string
}

/** POSTs the event, signed now (a re-delivery is signed again, as Polar retries). */
export const post = (agent: Agent, port: number, event: SentEvent) =>
  new Promise<Response>((resolve, reject) => {
    const request = httpRequest(
      {
        agent,
        host: "127.0.0.1",
        port,
        method: "POST",
        path: `/webhooks/polar/${event.tenant.id}`,
        headers: polarHeaders(event.tenant.secret, event.webhookId, event.body)
      },
      (response) => {
        let body = ""
        response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk))
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }))
        response.on("error", reject)
      }
    )
    request.on("error", reject)
    request.end(event.body)
  })

export const getLive = (agent: Agent, port: number) =>
  new Promise<number>((resolve, reject) => {
    const request = httpRequest({ agent, host: "127.0.0.1", port, method: "GET", path: "/health/live" }, (response) => {
      response.resume().on("end", () => resolve(response.statusCode ?? 0))
    })
    request.on("error", reject)
    request.end()
  })
