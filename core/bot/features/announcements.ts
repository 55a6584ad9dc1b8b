import { DateTime, Duration, Effect, Option, Schema } from "effect"
import { announceCommand, announcementsFeature } from "../../features/builtin/announcements.js"
import type { AnnouncementsConfig } from "../../features/builtin/announcements.js"
import { isInPlan } from "../../features/GuildFeatures.js"
import { readFeatureConfig } from "../../features/readFeatureConfig.js"
import { PolicyCache } from "../../guardrail/PolicyCache.js"
import { ChannelId, GuildId, RoleId, TenantId } from "../../ids.js"
import { JobFailed } from "../../jobs/JobFailed.js"
import { JobKind } from "../../jobs/JobKind.js"
import {
  type DiscordMessageError,
  DiscordMessages,
  noMentions,
  type OutgoingMessage
} from "../../ports/DiscordMessages.js"
import { Jobs } from "../../ports/Jobs.js"
import { CommandRefused, handleCommand } from "../BotCommands.js"
import { booleanOption, type CommandInvocation, numberOption, stringOption } from "../CommandInvocation.js"
import { Reply } from "../Reply.js"

/** How far ahead an announcement may be scheduled: a week. */
export const maxAnnouncementDelayMinutes = 10_080

/** A scheduled announcement, as the job carries it: what was decided when it was scheduled. */
export const ScheduledAnnouncement = Schema.Struct({
  tenantId: TenantId,
  guildId: GuildId,
  channelId: ChannelId,
  content: Schema.String,
  mentionRoleId: Schema.NullOr(RoleId),
  /** The interaction that scheduled it: Discord's nonce, so a re-run of a job that posted does not post twice. */
  interactionId: Schema.String
})
export type ScheduledAnnouncement = typeof ScheduledAnnouncement.Type

const channelNotSet = (guildId: GuildId) =>
  CommandRefused.of(
    "No announcement channel is set for this server",
    `Set the announcement channel: POST /guilds/${guildId}/features/announcements/enable with ` +
      `{"config":{"channelId":"<channel id>"}}, or run /setup.`
  )

const refusedByDiscord = (error: DiscordMessageError) => CommandRefused.of(error.message, error.remediation)

/** The message for `announcement`: the role's mention first when there is one (and only it may ping). */
const outgoing = (announcement: Omit<ScheduledAnnouncement, "tenantId">): OutgoingMessage => ({
  guildId: announcement.guildId,
  channelId: announcement.channelId,
  content: announcement.mentionRoleId === null
    ? announcement.content
    : `<@&${announcement.mentionRoleId}>\n${announcement.content}`,
  mentions: announcement.mentionRoleId === null ? noMentions : { users: [], roles: [announcement.mentionRoleId] },
  // Discord's nonces are at most 25 characters; interaction ids are snowflakes (at most 20).
  ...(announcement.interactionId.length <= 25 ? { nonce: announcement.interactionId } : {})
})

/** `/announce message [mention] [in_minutes]`: posts now, or schedules a job that posts it. */
export const announcementCommands = Effect.gen(function*() {
  const cache = yield* PolicyCache
  const messages = yield* DiscordMessages
  const jobs = yield* Jobs

  /** The guild's announcements config, from the snapshot the guardrail just used. */
  const configOf = (guildId: GuildId) =>
    Effect.gen(function*() {
      const snapshot = yield* cache.get(guildId)
      const state = Option.isSome(snapshot) ? snapshot.value.featureStates.get(announcementsFeature.key) : undefined
      return yield* readFeatureConfig(
        announcementsFeature,
        state?.config,
        state?.configVersion ?? announcementsFeature.config.version
      ).pipe(
        Effect.mapError((error) =>
          CommandRefused.of(
            "The announcements settings of this server cannot be read",
            `${error.message}. Save them again: POST /guilds/${guildId}/features/announcements/enable with a config.`
          )
        )
      )
    })

  const announce = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const { guildId, interactionId, tenantId } = invocation.context
      const content = stringOption(invocation, "message")
      if (content === undefined) return yield* CommandRefused.of("The announcement is empty", "Write a message.")
      const config: AnnouncementsConfig = yield* configOf(guildId)
      if (config.channelId === null) return yield* channelNotSet(guildId)
      const announcement: ScheduledAnnouncement = {
        tenantId,
        guildId,
        channelId: config.channelId,
        content,
        mentionRoleId: booleanOption(invocation, "mention") === false ? null : config.mentionRoleId,
        interactionId
      }

      const inMinutes = numberOption(invocation, "in_minutes")
      if (inMinutes === undefined) {
        yield* messages.send(outgoing(announcement)).pipe(Effect.mapError(refusedByDiscord))
        return Reply.private(`Posted in <#${config.channelId}>.`)
      }
      if (!Number.isInteger(inMinutes) || inMinutes < 1 || inMinutes > maxAnnouncementDelayMinutes) {
        return yield* CommandRefused.of(
          `An announcement can be scheduled 1 to ${maxAnnouncementDelayMinutes} minutes ahead, not ${inMinutes}`,
          "Give in_minutes between 1 and 10080 (a week), or leave it out to post now."
        )
      }
      const runAt = DateTime.addDuration(yield* DateTime.now, Duration.minutes(inMinutes))
      yield* jobs.enqueue([postAnnouncementKind.spec({
        tenantId,
        payload: announcement,
        runAt,
        // One job per interaction, however often Discord or the adapter delivers it.
        idempotencyKey: `${postAnnouncementKind.kind}:${interactionId}`
      })])
      const unix = Math.floor(DateTime.toEpochMillis(runAt) / 1_000)
      return Reply.private(`Scheduled for <t:${unix}:f> in <#${config.channelId}>.`)
    })

  return handleCommand(announceCommand, { ephemeral: true, run: announce })
})

/** Why a scheduled announcement is no longer wanted; null when it still is. */
const stillWanted = (announcement: ScheduledAnnouncement) =>
  Effect.map(Effect.flatMap(PolicyCache, (cache) => cache.get(announcement.guildId)), (snapshot) => {
    if (Option.isNone(snapshot)) return "the guild is no longer installed"
    const { enabledFeatures, entitlements, tenantId } = snapshot.value
    if (tenantId !== announcement.tenantId) return "the guild now belongs to another tenant"
    if (!isInPlan(announcementsFeature, entitlements)) return "announcements are no longer in the plan"
    if (!enabledFeatures.has(announcementsFeature.key)) return "announcements were turned off"
    return null
  })

/**
 * Posts scheduled announcements. It posts only while the guild is still
 * installed under the same tenant with announcements in its plan and
 * enabled; otherwise the job ends without posting. Discord's rate limits and
 * outages retry; a refusal the admin must fix (permissions, a deleted
 * channel) dead-letters the job with its remediation.
 */
export const postAnnouncementKind = JobKind.make({
  kind: "announcements.post",
  payload: ScheduledAnnouncement,
  handle: (announcement, job) =>
    Effect.gen(function*() {
      const skipped = yield* stillWanted(announcement)
      if (skipped !== null) {
        return yield* Effect.logInfo(`announcements: a scheduled announcement was not posted: ${skipped}`).pipe(
          Effect.annotateLogs({ tenantId: announcement.tenantId, guildId: announcement.guildId, jobId: job.id })
        )
      }
      yield* Effect.flatMap(DiscordMessages, (messages) => messages.send(outgoing(announcement))).pipe(
        Effect.mapError((error) =>
          new JobFailed({
            message: `${error.message} — ${error.remediation}`,
            retryable: error.retryable,
            retryAfterMs: error.retryAfterMs
          })
        )
      )
    })
})
