/**
 * A closed-loop HTTP load generator in a worker thread, so the client does not
 * share the server's event loop: `connections` keep-alive connections each
 * send the next request when the last answer has been read, for `seconds`.
 * Answers requests/s and the p50/p99 latency in microseconds; any status
 * other than 200 is counted as an error (a benchmark of refusals measures
 * nothing).
 */
import { Worker } from "node:worker_threads"

export interface LoadResult {
  readonly requestsPerSec: number
  readonly p50Micros: number
  readonly p99Micros: number
  readonly errors: number
}

const workerSource = `
const { parentPort, workerData } = require("node:worker_threads")
const http = require("node:http")
const { url, headers, seconds, connections } = workerData
const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
const target = new URL(url)
const latencies = []
let errors = 0
const until = performance.now() + seconds * 1000
const one = () => new Promise((resolve) => {
  const started = performance.now()
  const request = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, headers, agent }, (response) => {
    if (response.statusCode !== 200) errors++
    response.resume()
    response.on("end", () => { latencies.push(performance.now() - started); resolve() })
  })
  request.on("error", () => { errors++; resolve() })
  request.end()
})
const loop = async () => { while (performance.now() < until) await one() }
const started = performance.now()
Promise.all(Array.from({ length: connections }, loop)).then(() => {
  const elapsed = (performance.now() - started) / 1000
  agent.destroy()
  parentPort.postMessage({ count: latencies.length, elapsed, latencies: Float64Array.from(latencies), errors })
})
`

export const httpLoad = (
  url: string,
  headers: Record<string, string>,
  options: { readonly seconds: number; readonly connections: number }
): Promise<LoadResult> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { url, headers, seconds: options.seconds, connections: options.connections }
    })
    worker.once("error", reject)
    worker.once("message", (message: { count: number; elapsed: number; latencies: Float64Array; errors: number }) => {
      const sorted = message.latencies.sort()
      const at = (fraction: number) =>
        (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0) * 1000
      resolve({
        requestsPerSec: Math.round(message.count / message.elapsed),
        p50Micros: Math.round(at(0.5)),
        p99Micros: Math.round(at(0.99)),
        errors: message.errors
      })
      void worker.terminate()
    })
  })
