/**
 * The webhook bench's senders, in a process of their own (forked by
 * bench/webhooks.ts), so the server's process spends its CPU on the server
 * only, as in production where the providers are remote. It signs and POSTs
 * on command and answers with what it measured:
 *
 *   { kind: "init", port, tenants, duplicateShare }   -> {}
 *   { kind: "warmup", requests }                      -> { members }
 *   { kind: "health", concurrency, durationMs }       -> HealthResult
 *   { kind: "send", concurrency, durationMs, memberLimit } -> SendResult
 *
 * Members are numbered from 0 in the order their events are first sent; the
 * bench adds them to the fake guilds up to `memberLimit` before a level, and a
 * level that would need more fails.
 */
import { Agent } from "node:http"
import { percentile } from "./support.js"
import { getLive, post, type SentEvent, subscriptionActive, type TrafficTenant } from "./webhookTraffic.js"

export type SenderCommand =
  | {
    readonly kind: "init"
    readonly port: number
    readonly tenants: ReadonlyArray<TrafficTenant>
    readonly duplicateShare: number
  }
  | { readonly kind: "warmup"; readonly requests: number }
  | { readonly kind: "health"; readonly concurrency: number; readonly durationMs: number }
  | {
    readonly kind: "send"
    readonly concurrency: number
    readonly durationMs: number
    readonly memberLimit: number
  }

export interface HealthResult {
  readonly requests: number
  readonly elapsedMs: number
}

export interface SendResult {
  readonly requests: number
  readonly duplicates: number
  readonly elapsedMs: number
  readonly ackP50Ms: number
  readonly ackP99Ms: number
  /** The members whose (new) events were acknowledged at this level. */
  readonly acknowledgedMembers: ReadonlyArray<number>
  /** The next member's number. */
  readonly members: number
  /** This (sender) process's CPU per request. */
  readonly senderCpuMsPerRequest: number
}

export type SenderReply =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly message: string }

/** mulberry32: a tiny seeded PRNG, so every run sends the same mix. */
const seededRandom = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
}

let port = 0
let tenants: ReadonlyArray<TrafficTenant> = []
let duplicateShare = 0
let nextMember = 0
const acknowledged: Array<SentEvent> = []
const random = seededRandom(0x5eed)

const newEvent = (memberLimit: number): SentEvent => {
  if (nextMember >= memberLimit) throw new Error(`more than ${memberLimit} members needed: raise the bench's budget`)
  return subscriptionActive(tenants, nextMember++)
}

/** A re-delivery of an acknowledged event, or a new one. */
const nextEvent = (memberLimit: number) =>
  acknowledged.length > 0 && random() < duplicateShare
    ? { event: acknowledged[Math.floor(random() * acknowledged.length)]!, duplicate: true }
    : { event: newEvent(memberLimit), duplicate: false }

const warmup = async (requests: number) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 })
  for (let i = 0; i < requests; i += 8) {
    await Promise.all(Array.from({ length: 8 }, () => post(agent, port, newEvent(Number.POSITIVE_INFINITY))))
  }
  agent.destroy()
  return { members: nextMember }
}

const health = async (concurrency: number, durationMs: number): Promise<HealthResult> => {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  let requests = 0
  const started = performance.now()
  const sender = async () => {
    while (performance.now() < started + durationMs) {
      if ((await getLive(agent, port)) !== 200) throw new Error("GET /health/live did not answer 200")
      requests++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, sender))
  agent.destroy()
  return { requests, elapsedMs: performance.now() - started }
}

/** `concurrency` senders POST until the time is up; every answer must be 200 with the expected duplicate flag. */
const send = async (concurrency: number, durationMs: number, memberLimit: number): Promise<SendResult> => {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const latencies: Array<number> = []
  const acknowledgedMembers: Array<number> = []
  let duplicates = 0
  const failures: Array<string> = []
  const started = performance.now()
  const cpuStarted = process.cpuUsage()
  const deadline = started + durationMs
  const sender = async () => {
    while (performance.now() < deadline && failures.length === 0) {
      const { duplicate, event } = nextEvent(memberLimit)
      const sent = performance.now()
      const response = await post(agent, port, event)
      latencies.push(performance.now() - sent)
      const expected = `{"received":true,"duplicate":${duplicate}}`
      if (response.status !== 200 || (response.body !== expected && !duplicate)) {
        failures.push(`${event.webhookId}: ${response.status} ${response.body}`)
      }
      if (duplicate) duplicates++
      else {
        acknowledged.push(event)
        acknowledgedMembers.push(event.member)
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, sender))
  const elapsedMs = performance.now() - started
  const cpu = process.cpuUsage(cpuStarted)
  agent.destroy()
  if (failures.length > 0) throw new Error(`webhook not acknowledged as expected: ${failures[0]}`)
  const sorted = Float64Array.from(latencies).sort()
  return {
    requests: latencies.length,
    duplicates,
    elapsedMs,
    ackP50Ms: Number(percentile(sorted, 0.5).toFixed(2)),
    ackP99Ms: Number(percentile(sorted, 0.99).toFixed(2)),
    acknowledgedMembers,
    members: nextMember,
    senderCpuMsPerRequest: Number(((cpu.user + cpu.system) / 1000 / latencies.length).toFixed(2))
  }
}

const run = async (command: SenderCommand): Promise<unknown> => {
  switch (command.kind) {
    case "init":
      ;({ duplicateShare, port, tenants } = command)
      return {}
    case "warmup":
      return warmup(command.requests)
    case "health":
      return health(command.concurrency, command.durationMs)
    case "send":
      return send(command.concurrency, command.durationMs, command.memberLimit)
  }
}

process.on("message", (command: SenderCommand) => {
  run(command).then(
    (result) => process.send!({ ok: true, result } satisfies SenderReply),
    (error: unknown) =>
      process.send!(
        { ok: false, message: error instanceof Error ? error.message : String(error) } satisfies SenderReply
      )
  )
})
// The bench ends this process by closing the channel.
process.on("disconnect", () => process.exit(0))
