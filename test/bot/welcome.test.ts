import { assert, describe, expect, it, layer } from "@effect/vitest"
import { Effect, Logger } from "effect"
import { DiscordMessagesMemoryControl } from "../../adapters/memory/index.js"
import { FeatureEvents, GuildFeatures, type GuildId, PolicyCache, renderWelcome, UserId } from "../../core/index.js"
import { channelId, FeaturesTestLayer, guildWith } from "./featureHarness.js"

const newcomer = UserId.make("640000000000000001")

const join = (guildId: GuildId, guildName = "Acme Guild") =>
  Effect.flatMap(
    FeatureEvents,
    (events) => events.dispatch({ _tag: "MemberJoined", guildId, userId: newcomer, guildName })
  )

const sentTo = (guildId: GuildId) =>
  Effect.map(
    Effect.flatMap(DiscordMessagesMemoryControl, (control) => control.sent),
    (sent) => sent.filter((message) => message.guildId === guildId)
  )

describe("renderWelcome", () => {
  it("fills {user} and {guild} everywhere, inserting the name as written", () => {
    expect(renderWelcome("{user}, {user}! {guild}", { userId: newcomer, guildName: "Cash $& Co" })).toBe(
      `<@${newcomer}>, <@${newcomer}>! Cash $& Co`
    )
  })

  it("keeps within Discord's 2,000 characters", () => {
    expect(renderWelcome(`${"x".repeat(1_990)} {guild}`, { userId: newcomer, guildName: "y".repeat(50) }).length)
      .toBe(2_000)
  })
})

layer(FeaturesTestLayer)("welcome over the test runtime", (it) => {
  it.effect("posts the template to the configured channel, pinging only the newcomer", () =>
    Effect.gen(function*() {
      const { guildId } = yield* guildWith("free", {
        welcome: { channelId, template: "Hi {user}, welcome to {guild}! @everyone" }
      })
      yield* join(guildId, "The Guild")
      assert.deepStrictEqual(yield* sentTo(guildId), [{
        guildId,
        channelId,
        content: `Hi <@${newcomer}>, welcome to The Guild! @everyone`,
        mentions: { users: [newcomer], roles: [] }
      }])
    }))

  it.effect("posts nothing while no channel is set, or where welcome is not enabled", () =>
    Effect.gen(function*() {
      const unconfigured = yield* guildWith("free", { welcome: {} })
      const disabled = yield* guildWith("free")
      yield* join(unconfigured.guildId)
      yield* join(disabled.guildId)
      assert.deepStrictEqual(yield* sentTo(unconfigured.guildId), [])
      assert.deepStrictEqual(yield* sentTo(disabled.guildId), [])
    }))

  it.effect("posts nothing once disabled", () =>
    Effect.gen(function*() {
      const { guildId, tenantId } = yield* guildWith("free", { welcome: { channelId } })
      yield* join(guildId) // greeted, and the guild's policy is now cached
      yield* (yield* GuildFeatures).disable(tenantId, guildId, "welcome").pipe(Effect.orDie)
      // What the change feed does shortly after; done here so the test does not race it.
      yield* (yield* PolicyCache).invalidate(guildId)
      yield* join(guildId)
      assert.strictEqual((yield* sentTo(guildId)).length, 1)
    }))

  it.effect("a channel the bot may not post in is logged with the remediation, and the join goes on", () =>
    Effect.gen(function*() {
      const { guildId } = yield* guildWith("free", { welcome: { channelId } })
      yield* (yield* DiscordMessagesMemoryControl).failNext("missing_permissions")
      const logs: Array<string> = []
      const capture = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ message }) => void logs.push(String(message)))
      )
      yield* join(guildId).pipe(Effect.provide(capture))
      assert.deepStrictEqual(yield* sentTo(guildId), [])
      assert.isTrue(logs.some((line) => line.includes("welcome") && line.includes("Send Messages")), logs.join("\n"))
    }))
})
