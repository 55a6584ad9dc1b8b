import { assert, describe, it } from "@effect/vitest"
import { REST } from "discord.js"
import { DateTime, Effect } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { makeDiscordCommandsRest, maxQueuedRateLimitMs } from "../../adapters/discord/index.js"
import { ApplicationId, builtinFeatures, commandJson, type DiscordCommandsError, GuildId } from "../../core/index.js"

/** One programmed answer of the commands endpoint. */
interface Answer {
  readonly status: number
  readonly body: unknown
  readonly headers?: Record<string, string>
}

const token = "fake-bot-token.abc.def"
const applicationId = ApplicationId.make("800000000000000001")
const guildId = GuildId.make("100000000000000001")
const commands = builtinFeatures.flatMap((feature) => feature.commands.map(commandJson))

/**
 * A commands endpoint on a local port answering `answers` in order (then 200),
 * recording each request; and DiscordCommands over a REST client built as the
 * runner builds it (no retries, rate limits over 2 s rejected). A fresh client
 * per test: discord.js keeps rate-limit state per route.
 */
const commandsEndpoint = (answers: ReadonlyArray<Answer>) =>
  Effect.gen(function*() {
    const requests: Array<{ method: string; path: string; authorization: string; body: unknown }> = []
    const queue = [...answers]
    const http = createServer((request, response) => {
      let raw = ""
      request.on("data", (chunk: Buffer) => (raw += chunk.toString()))
      request.on("end", () => {
        requests.push({
          method: request.method ?? "",
          path: request.url ?? "",
          authorization: request.headers.authorization ?? "",
          body: raw === "" ? null : JSON.parse(raw)
        })
        const answer = queue.shift() ?? { status: 200, body: [] }
        response.writeHead(answer.status, { "content-type": "application/json", ...answer.headers })
        response.end(JSON.stringify(answer.body))
      })
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number>((resume) => {
        http.listen(0, "127.0.0.1", () => resume(Effect.succeed((http.address() as AddressInfo).port)))
      }),
      () =>
        Effect.async<void>((resume) => {
          http.closeAllConnections()
          http.close(() => resume(Effect.void))
        })
    )
    const rest = new REST({
      version: "10",
      api: `http://127.0.0.1:${port}/api`,
      retries: 0,
      rejectOnRateLimit: (limit) => Math.max(limit.retryAfter, limit.timeToReset) > maxQueuedRateLimitMs
    }).setToken(token)
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        rest.clearHashSweeper()
        rest.clearHandlerSweeper()
      })
    )
    return { discord: makeDiscordCommandsRest(rest), requests }
  })

const refusal = (answer: Answer) =>
  Effect.gen(function*() {
    const { discord, requests } = yield* commandsEndpoint([answer])
    const error: DiscordCommandsError = yield* Effect.flip(
      discord.overwriteGuildCommands(applicationId, guildId, commands)
    )
    return { error, requests }
  })

describe("DiscordCommandsRest against a local commands endpoint", () => {
  it.scoped("overwrites the guild's whole set with one PUT of the JSON, with the bot token", () =>
    Effect.gen(function*() {
      const { discord, requests } = yield* commandsEndpoint([])
      yield* discord.overwriteGuildCommands(applicationId, guildId, commands)
      assert.deepStrictEqual(requests, [{
        method: "PUT",
        path: `/api/v10/applications/${applicationId}/guilds/${guildId}/commands`,
        authorization: `Bot ${token}`,
        body: JSON.parse(JSON.stringify(commands))
      }])
    }))

  it.scoped("a 429 with code 30034 is the daily limit until Discord's retry_after, and is not retried", () =>
    Effect.gen(function*() {
      const { error, requests } = yield* refusal({
        status: 429,
        body: {
          message: "Max number of daily application command creates has been reached (200)",
          code: 30034,
          retry_after: 3600,
          global: false
        },
        headers: { "retry-after": "3600" }
      })
      assert.strictEqual(error.reason, "daily_limit")
      assert.deepStrictEqual(error.retryAt, DateTime.add(yield* DateTime.now, { hours: 1 }))
      assert.isFalse(error.retryable)
      assert.include(error.remediation, DateTime.formatIso(error.retryAt!))
      assert.strictEqual(requests.length, 1)
    }))

  it.scoped("a 429 with code 30034 and no retry_after in its body waits for the header's delay", () =>
    Effect.gen(function*() {
      const { error } = yield* refusal({
        status: 429,
        body: { message: "Max number of daily application command creates has been reached (200)", code: 30034 },
        headers: { "retry-after": "7200" }
      })
      assert.strictEqual(error.reason, "daily_limit")
      // discord.js adds its rate-limit offset (50 ms by default) to the header's delay.
      const wait = DateTime.distance(yield* DateTime.now, error.retryAt!)
      assert.isAtLeast(wait, 7_200_000)
      assert.isBelow(wait, 7_201_000)
    }))

  it.scoped("a long ordinary 429 is rate_limited with its delay, not the daily limit", () =>
    Effect.gen(function*() {
      const { error, requests } = yield* refusal({
        status: 429,
        body: { message: "You are being rate limited.", retry_after: 30, global: false },
        headers: { "retry-after": "30" }
      })
      assert.strictEqual(error.reason, "rate_limited")
      assert.isTrue(error.retryable)
      assert.isAtLeast(error.retryAfterMs!, 30_000)
      assert.isNull(error.retryAt)
      assert.strictEqual(requests.length, 1)
    }))

  it.scoped("50001 is missing_access with the re-invite remediation, not retryable, sent once", () =>
    Effect.gen(function*() {
      const { error, requests } = yield* refusal({ status: 403, body: { message: "Missing Access", code: 50001 } })
      assert.strictEqual(error.reason, "missing_access")
      assert.include(error.remediation, "applications.commands")
      assert.isFalse(error.retryable)
      assert.strictEqual(requests.length, 1)
    }))

  it.scoped("50035 (invalid form body) is invalid_commands, not retryable", () =>
    Effect.gen(function*() {
      const { error } = yield* refusal({ status: 400, body: { message: "Invalid Form Body", code: 50035 } })
      assert.strictEqual(error.reason, "invalid_commands")
      assert.isFalse(error.retryable)
    }))

  it.scoped("a 5xx is unavailable and retryable", () =>
    Effect.gen(function*() {
      const { error } = yield* refusal({ status: 502, body: { message: "Bad Gateway" } })
      assert.strictEqual(error.reason, "unavailable")
      assert.isTrue(error.retryable)
    }))
})
