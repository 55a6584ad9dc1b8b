import { assert, describe, layer } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import { TestClock } from "effect"
import { DiscordMessagesMemoryControl } from "../../adapters/memory/index.js"
import {
  GuildFeatures,
  type GuildId,
  type Job,
  JobHandlers,
  Jobs,
  JobWorker,
  Permission,
  PolicyCache,
  postAnnouncementKind,
  RoleId
} from "../../core/index.js"
import { channelId, FeaturesTestLayer, guildWith, slash } from "./featureHarness.js"

const everyoneRole = RoleId.make("650000000000000001")
const mod = { memberPermissions: Permission.ManageMessages }

const sentTo = (guildId: GuildId) =>
  Effect.map(
    Effect.flatMap(DiscordMessagesMemoryControl, (control) => control.sent),
    (sent) => sent.filter((message) => message.guildId === guildId)
  )

const pendingFor = (guildId: GuildId) =>
  Effect.flatMap(Jobs, (jobs) => jobs.list({ status: "pending", kind: postAnnouncementKind.kind, limit: 100 })).pipe(
    Effect.map((jobs) => jobs.filter((job) => (job.payload as { guildId: string }).guildId === guildId))
  )

/** Runs due jobs with the announcements' handlers. */
const runDueJobs = Effect.provide(JobWorker.runOnce(), JobHandlers.layer(postAnnouncementKind))

layer(FeaturesTestLayer)("/announce over the test runtime", (it) => {
  it.effect("posts now to the configured channel, mentioning the role unless mention is false", () =>
    Effect.gen(function*() {
      const { guildId } = yield* guildWith("basic", { announcements: { channelId, mentionRoleId: everyoneRole } })
      const reply = yield* slash(guildId, ["announce"], { message: "Server maintenance at 18:00" }, {
        ...mod,
        interactionId: "1200000000000000001"
      })
      assert.deepStrictEqual(reply, { content: `Posted in <#${channelId}>.`, ephemeral: true })
      yield* slash(guildId, ["announce"], { message: "Quiet note", mention: false }, {
        ...mod,
        interactionId: "1200000000000000002"
      })
      assert.deepStrictEqual(yield* sentTo(guildId), [
        {
          guildId,
          channelId,
          content: `<@&${everyoneRole}>\nServer maintenance at 18:00`,
          mentions: { users: [], roles: [everyoneRole] },
          nonce: "1200000000000000001"
        },
        { guildId, channelId, content: "Quiet note", mentions: { users: [], roles: [] }, nonce: "1200000000000000002" }
      ])
    }))

  it.effect("without a channel it refuses with how to set one; a member without Manage Messages is denied", () =>
    Effect.gen(function*() {
      const { guildId } = yield* guildWith("basic", { announcements: {} })
      const refused = yield* slash(guildId, ["announce"], { message: "Hello" }, mod)
      assert.isTrue(refused.ephemeral)
      assert.include(refused.content, "No announcement channel is set")
      assert.include(refused.content, `/guilds/${guildId}/features/announcements`)
      const configured = yield* guildWith("basic", { announcements: { channelId } })
      const denied = yield* slash(configured.guildId, ["announce"], { message: "Hello" })
      assert.isTrue(denied.ephemeral)
      assert.deepStrictEqual(yield* sentTo(guildId), [])
      assert.deepStrictEqual(yield* sentTo(configured.guildId), [])
    }))

  it.effect("Discord's refusal reaches the admin with its remediation", () =>
    Effect.gen(function*() {
      const { guildId } = yield* guildWith("basic", { announcements: { channelId } })
      yield* (yield* DiscordMessagesMemoryControl).failNext("missing_permissions")
      const reply = yield* slash(guildId, ["announce"], { message: "Hello" }, mod)
      assert.isTrue(reply.ephemeral)
      assert.include(reply.content, "Send Messages")
    }))

  it.effect("in_minutes schedules one job per interaction; the worker posts it when due", () =>
    Effect.gen(function*() {
      const { guildId } = yield* guildWith("basic", { announcements: { channelId, mentionRoleId: null } })
      const start = yield* DateTime.now
      const options = { message: "Game night!", in_minutes: 30 }
      const reply = yield* slash(guildId, ["announce"], options, { ...mod, interactionId: "1300000000000000001" })
      const unix = Math.floor(DateTime.toEpochMillis(start) / 1_000) + 30 * 60
      assert.deepStrictEqual(reply, { content: `Scheduled for <t:${unix}:f> in <#${channelId}>.`, ephemeral: true })
      // The same interaction delivered again schedules nothing more.
      yield* slash(guildId, ["announce"], options, { ...mod, interactionId: "1300000000000000001" })
      const [job, ...others] = yield* pendingFor(guildId)
      assert.isEmpty(others)
      assert.strictEqual(DateTime.toEpochMillis(job!.runAt), DateTime.toEpochMillis(start) + 30 * 60_000)

      yield* TestClock.adjust("29 minutes")
      yield* runDueJobs
      assert.deepStrictEqual(yield* sentTo(guildId), [])
      yield* TestClock.adjust("1 minute")
      yield* runDueJobs
      assert.deepStrictEqual(yield* sentTo(guildId), [{
        guildId,
        channelId,
        content: "Game night!",
        mentions: { users: [], roles: [] },
        nonce: "1300000000000000001"
      }])
    }))

  it.effect("in_minutes outside 1..10080 is refused and schedules nothing", () =>
    Effect.gen(function*() {
      const { guildId } = yield* guildWith("basic", { announcements: { channelId } })
      for (const inMinutes of [0, 10_081]) {
        const reply = yield* slash(guildId, ["announce"], { message: "Later", in_minutes: inMinutes }, mod)
        assert.include(reply.content, "1 to 10080 minutes ahead")
      }
      assert.isEmpty(yield* pendingFor(guildId))
    }))

  it.effect("a scheduled announcement is not posted once announcements are turned off", () =>
    Effect.gen(function*() {
      const { guildId, tenantId } = yield* guildWith("basic", { announcements: { channelId } })
      yield* slash(guildId, ["announce"], { message: "Soon", in_minutes: 5 }, mod)
      yield* (yield* GuildFeatures).disable(tenantId, guildId, "announcements").pipe(Effect.orDie)
      yield* (yield* PolicyCache).invalidate(guildId)
      yield* TestClock.adjust("5 minutes")
      yield* runDueJobs
      assert.deepStrictEqual(yield* sentTo(guildId), [])
      assert.isEmpty(yield* pendingFor(guildId))
    }))
})

describe("the announcements.post job", () => {
  layer(FeaturesTestLayer)("Discord's refusals", (it) => {
    it.effect("rate limits and outages retry (with Discord's delay); permission errors are permanent", () =>
      Effect.gen(function*() {
        const { guildId, tenantId } = yield* guildWith("basic", { announcements: { channelId } })
        const handler = (yield* Effect.provide(JobHandlers, JobHandlers.layer(postAnnouncementKind)))
          .get(postAnnouncementKind.kind)!
        const now = yield* DateTime.now
        const job: Job = {
          id: "job-1",
          tenantId,
          kind: postAnnouncementKind.kind,
          payload: { tenantId, guildId, channelId, content: "Hi", mentionRoleId: null, interactionId: "1" },
          idempotencyKey: "k",
          status: "running",
          runAt: now,
          attempts: 1,
          maxAttempts: 10,
          lastError: null,
          lockedBy: "w",
          lockedUntil: null,
          createdAt: now,
          finishedAt: null
        }
        const control = yield* DiscordMessagesMemoryControl
        yield* control.failNext("rate_limited", { retryAfterMs: 5_000 })
        const limited = yield* Effect.flip(handler(job))
        assert.deepStrictEqual([limited.retryable, limited.retryAfterMs], [true, 5_000])
        yield* control.failNext("unknown_channel")
        const gone = yield* Effect.flip(handler(job))
        assert.isFalse(gone.retryable)
        assert.include(gone.message, "choose another one")
        const garbled = yield* Effect.flip(handler({ ...job, payload: { content: 1 } }))
        assert.isFalse(garbled.retryable)
        yield* handler(job)
        assert.strictEqual((yield* sentTo(guildId)).length, 1)
      }))
  })
})
