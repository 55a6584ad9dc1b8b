import { DateTime, Effect, Option, Schema } from "effect"
import { leaderboardCommand, rankCommand, xpCommand, xpFeature } from "../../features/builtin/xp.js"
import type { XpConfig } from "../../features/builtin/xp.js"
import { type GuildId, type RoleId, UserId } from "../../ids.js"
import { DiscordRoles } from "../../ports/DiscordRoles.js"
import { XpStore } from "../../ports/XpStore.js"
import { BotCommands, CommandRefused, handleCommand } from "../BotCommands.js"
import { type CommandInvocation, numberOption, stringOption } from "../CommandInvocation.js"
import type { FeatureEventHandlerSet } from "../FeatureEvents.js"
import { Reply } from "../Reply.js"

/**
 * Levels: level n needs 100·n² points (level 1 at 100, 2 at 400, 3 at 900,
 * 4 at 1,600, 10 at 10,000), so each level takes 200·n − 100 more points than
 * the one before: early levels come quickly, later ones need steady chatting.
 */
export const pointsForLevel = (level: number): number => 100 * level * level

/** The highest level `points` reach (0 below 100 points). */
export const levelForPoints = (points: number): number => {
  let level = Math.floor(Math.sqrt(Math.max(points, 0) / 100))
  // Guard the square root's rounding at exact squares.
  while (pointsForLevel(level + 1) <= points) level++
  while (level > 0 && pointsForLevel(level) > points) level--
  return level
}

/** The plan flag that lets level roles be granted. */
export const xpRolesFlag = "xp-roles"

/** Members per leaderboard page. */
export const leaderboardPageSize = 10

const formatNumber = new Intl.NumberFormat("en-US")
const points = (value: number) => `${formatNumber.format(value)} ${value === 1 ? "point" : "points"}`
const mention = (userId: UserId) => `<@${userId}>`

const decodeUserId = Schema.decodeUnknownOption(UserId)

/** The user option `name` as a UserId; undefined when absent, a refusal when it is not a user id. */
const userOption = (invocation: CommandInvocation, name: string): Effect.Effect<UserId | undefined, CommandRefused> => {
  const value = stringOption(invocation, name)
  if (value === undefined) return Effect.succeed(undefined)
  return Option.match(decodeUserId(value), {
    onNone: () => Effect.fail(CommandRefused.of(`'${value}' is not a member`, "Pick a member from the list.")),
    onSome: Effect.succeed
  })
}

/** `/rank [user]`, `/leaderboard [page]` and `/xp reset user`. */
export const xpCommands = Effect.gen(function*() {
  const xp = yield* XpStore

  const rank = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const { guildId, tenantId, userId: caller } = invocation.context
      const userId = (yield* userOption(invocation, "user")) ?? caller
      const standing = yield* xp.get(tenantId, guildId, userId)
      if (Option.isNone(standing)) {
        return Reply.visible(`${mention(userId)} has no points yet: points come from chatting in this server.`)
      }
      const { points: total, rank } = standing.value
      const level = levelForPoints(total)
      const toNext = pointsForLevel(level + 1) - total
      return Reply.visible(
        `${mention(userId)} is level ${level} with ${points(total)} (#${rank} in this server); ` +
          `${points(toNext)} to level ${level + 1}`
      )
    })

  const leaderboard = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const { guildId, tenantId } = invocation.context
      const page = numberOption(invocation, "page") ?? 1
      if (!Number.isInteger(page) || page < 1) {
        return yield* CommandRefused.of(`There is no page ${page}`, "Pages start at 1.")
      }
      const offset = (page - 1) * leaderboardPageSize
      const entries = yield* xp.leaderboard(tenantId, guildId, { offset, limit: leaderboardPageSize })
      if (entries.length === 0) {
        return Reply.visible(
          page === 1
            ? "No one has points yet: points come from chatting in this server."
            : `Page ${page} of the leaderboard is empty.`
        )
      }
      const lines = entries.map((entry, i) =>
        `**#${offset + i + 1}** ${mention(entry.userId)}: level ${levelForPoints(entry.points)}, ${
          points(entry.points)
        }`
      )
      return Reply.visible([`**Leaderboard** (page ${page})`, ...lines].join("\n"))
    })

  const reset = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const { guildId, tenantId } = invocation.context
      const userId = yield* userOption(invocation, "user")
      if (userId === undefined) {
        return yield* CommandRefused.of("Choose whose points to reset", "Run /xp reset with the user option.")
      }
      return (yield* xp.reset(tenantId, guildId, userId))
        ? Reply.private(`${mention(userId)}'s points are reset to 0. Level roles they hold stay until you remove them.`)
        : Reply.private(`${mention(userId)} has no points to reset.`)
    })

  return BotCommands.merge(
    handleCommand(rankCommand, { ephemeral: false, run: rank }),
    handleCommand(leaderboardCommand, { ephemeral: false, run: leaderboard }),
    handleCommand(xpCommand, { reset: { ephemeral: true, run: reset } })
  )
})

/** The level roles for the levels passed going from `before` to `after`. */
export const levelRolesReached = (
  config: XpConfig,
  before: number,
  after: number
): ReadonlyArray<{ readonly level: number; readonly roleId: RoleId }> =>
  config.levelRoles.filter(({ level }) => level > before && level <= after)

/** Points for messages (once per cooldown) and, on plans with "xp-roles", the roles of the levels reached. */
export const xpEvents = Effect.gen(function*() {
  const xp = yield* XpStore
  const roles = yield* DiscordRoles

  const grantLevelRole = (guildId: GuildId, userId: UserId, level: number, roleId: RoleId) =>
    roles.grant({ guildId, userId, roleId, reason: `XP: reached level ${level}` }).pipe(
      Effect.catchTag(
        "DiscordRoleError",
        (error) =>
          Effect.logWarning(`xp: the level ${level} role was not granted: ${error.message}. ${error.remediation}`).pipe(
            Effect.annotateLogs({ roleId, reason: error.reason })
          )
      )
    )

  const handlers: FeatureEventHandlerSet = {
    MessageCreated: (event, context) =>
      Effect.gen(function*() {
        // The dispatcher decoded it with the feature's schema.
        const config = context.config as XpConfig
        const now = yield* DateTime.now
        const awarded = yield* xp.award({
          tenantId: context.tenantId,
          guildId: event.guildId,
          userId: event.userId,
          points: config.pointsPerMessage,
          cooldownSeconds: config.cooldownSeconds,
          now
        })
        if (!awarded.awarded) return
        const before = levelForPoints(awarded.previousTotal)
        const after = levelForPoints(awarded.total)
        if (after <= before) return
        yield* Effect.logDebug(`xp: level ${after} reached`)
        if (!context.entitlements.features.has(xpRolesFlag)) return
        yield* Effect.forEach(
          levelRolesReached(config, before, after),
          ({ level, roleId }) => grantLevelRole(event.guildId, event.userId, level, roleId),
          { discard: true }
        )
      }).pipe(
        Effect.annotateLogs({ feature: xpFeature.key, guildId: event.guildId, userId: event.userId }),
        Effect.withSpan("xp.MessageCreated")
      )
  }
  return handlers
})
