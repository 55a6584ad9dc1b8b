import { assert, layer } from "@effect/vitest"
import { REST } from "discord.js"
import { Context, Effect, Layer } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { makeDiscordMessagesRest } from "../../adapters/discord/index.js"
import { ChannelId, DiscordMessages, GuildId, RoleId, UserId } from "../../core/index.js"

/** A channel-messages endpoint that records each POST and answers with a programmed refusal when there is one. */
interface ChannelServer {
  readonly posts: Array<{ readonly path: string; readonly body: unknown }>
  readonly refuseNext: (status: number, body: unknown, headers?: Record<string, string>) => void
}

class Channels extends Context.Tag("test/Channels")<Channels, ChannelServer>() {}

const token = "fake-bot-token.abc.def"

const channelServer = Effect.acquireRelease(
  Effect.async<{ readonly server: ChannelServer; readonly apiBase: string; readonly close: () => Promise<void> }>(
    (resume) => {
      const posts: ChannelServer["posts"] = []
      const refusals: Array<{ status: number; body: unknown; headers: Record<string, string> }> = []
      const http = createServer((request, response) => {
        let raw = ""
        request.on("data", (chunk: Buffer) => (raw += chunk.toString()))
        request.on("end", () => {
          posts.push({ path: request.url ?? "", body: raw === "" ? null : JSON.parse(raw) })
          const refusal = refusals.shift() ?? { status: 200, body: { id: "900000000000000001" }, headers: {} }
          response.writeHead(refusal.status, { "content-type": "application/json", ...refusal.headers })
          response.end(JSON.stringify(refusal.body))
        })
      })
      http.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({
          server: { posts, refuseNext: (status, body, headers = {}) => void refusals.push({ status, body, headers }) },
          apiBase: `http://127.0.0.1:${(http.address() as AddressInfo).port}/api`,
          close: () =>
            new Promise<void>((resolve) => {
              http.closeAllConnections()
              http.close(() => resolve())
            })
        })))
    }
  ),
  (started) => Effect.promise(started.close)
)

const testLayer = Layer.unwrapScoped(Effect.map(channelServer, ({ apiBase, server }) => {
  // As the runner builds it: no retries here (the outbox retries), long rate limits rejected.
  const rest = new REST({ version: "10", api: apiBase, retries: 0, rejectOnRateLimit: () => true }).setToken(token)
  return Layer.merge(
    Layer.succeed(DiscordMessages, makeDiscordMessagesRest(rest)),
    Layer.succeed(Channels, server)
  )
}))

const message = {
  guildId: GuildId.make("100000000000000001"),
  channelId: ChannelId.make("300000000000000001"),
  content: "Welcome <@200000000000000001>! @everyone",
  mentions: { users: [UserId.make("200000000000000001")], roles: [RoleId.make("400000000000000001")] }
}

layer(testLayer)("DiscordMessagesRest against a local channel endpoint", (it) => {
  it.effect("posts to the channel with exactly the listed mentions allowed (never @everyone)", () =>
    Effect.gen(function*() {
      const channels = yield* Channels
      const before = channels.posts.length
      yield* (yield* DiscordMessages).send(message)
      assert.deepStrictEqual(channels.posts.slice(before), [{
        path: "/api/v10/channels/300000000000000001/messages",
        body: {
          content: message.content,
          allowed_mentions: { parse: [], users: ["200000000000000001"], roles: ["400000000000000001"] }
        }
      }])
    }))

  const refusals = [
    [403, 50013, "Missing Permissions", "missing_permissions"],
    [403, 50001, "Missing Access", "missing_access"],
    [404, 10003, "Unknown Channel", "unknown_channel"]
  ] as const
  for (const [status, code, text, reason] of refusals) {
    it.effect(`Discord's ${code} is ${reason}, final, with a remediation, sent once`, () =>
      Effect.gen(function*() {
        const channels = yield* Channels
        const before = channels.posts.length
        channels.refuseNext(status, { message: text, code })
        const error = yield* Effect.flip((yield* DiscordMessages).send(message))
        assert.strictEqual(error.reason, reason)
        assert.isFalse(error.retryable)
        assert.isNotEmpty(error.remediation)
        assert.strictEqual(channels.posts.length - before, 1)
      }))
  }

  it.effect("a 429 is rate_limited with Discord's retry-after; a 5xx is unavailable; both retryable", () =>
    Effect.gen(function*() {
      const channels = yield* Channels
      channels.refuseNext(429, { message: "You are being rate limited.", retry_after: 7, global: false }, {
        "retry-after": "7",
        "x-ratelimit-limit": "5",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset-after": "7",
        "x-ratelimit-bucket": "fakebucket0000000000000000000000"
      })
      const limited = yield* Effect.flip((yield* DiscordMessages).send(message))
      assert.strictEqual(limited.reason, "rate_limited")
      assert.isTrue(limited.retryable)
      assert.isAtLeast(limited.retryAfterMs ?? 0, 6_000)

      channels.refuseNext(502, { message: "Bad Gateway", code: 0 })
      const down = yield* Effect.flip((yield* DiscordMessages).send({
        ...message,
        channelId: ChannelId.make("300000000000000002")
      }))
      assert.deepStrictEqual([down.reason, down.retryable], ["unavailable", true])
    }))

  it.effect("a nonce is sent enforced, so Discord drops a repeat of the same post", () =>
    Effect.gen(function*() {
      const channels = yield* Channels
      yield* (yield* DiscordMessages).send({ ...message, nonce: "1234567890123456789" })
      assert.deepInclude(channels.posts.at(-1)!.body as object, { nonce: "1234567890123456789", enforce_nonce: true })
    }))
})
