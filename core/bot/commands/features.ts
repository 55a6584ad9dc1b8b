import { DateTime, Effect, Option } from "effect"
import { featuresCommand } from "../../features/builtin/setup.js"
import { GuildFeatures, type GuildFeatureView } from "../../features/GuildFeatures.js"
import { CommandRefused, handleCommand } from "../BotCommands.js"
import { type CommandInvocation, stringOption } from "../CommandInvocation.js"
import { CommandSync } from "../CommandSync.js"
import { Reply } from "../Reply.js"
import { refusing } from "./replies.js"

const line = (feature: GuildFeatureView): string => {
  const state = feature.access === "essential"
    ? "always on"
    : !feature.inPlan
    ? "not in your plan"
    : feature.enabled
    ? "on"
    : "off"
  return `\`${feature.key}\` — ${feature.name}: ${state}`
}

const make = Effect.gen(function*() {
  const features = yield* GuildFeatures
  const commandSync = yield* CommandSync

  /** Why the server's commands may not match its features: Discord's daily limit, or its last refusal. */
  const syncNotice = (invocation: CommandInvocation) =>
    Effect.map(
      commandSync.status(invocation.context.tenantId, invocation.context.guildId, invocation.applicationId),
      (status): ReadonlyArray<string> =>
        Option.match(status, {
          onNone: () => [],
          onSome: ({ blockedUntil, lastError }) =>
            blockedUntil !== null
              ? [
                `-# Discord's limit of 200 new commands a day was reached in this server: its commands ` +
                `update after ${DateTime.formatIso(blockedUntil).slice(0, 16).replace("T", " ")} UTC.`
              ]
              : lastError !== null
              ? [`-# Discord did not take this server's commands: ${lastError.message}. ${lastError.remediation}`]
              : []
        })
    )

  const featureKey = (invocation: CommandInvocation) => {
    const key = stringOption(invocation, "feature")?.toLowerCase()
    return key === undefined
      ? Effect.fail(CommandRefused.of("Name a feature", "Run /features list to see their keys"))
      : Effect.succeed(key)
  }

  const list = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const listed = yield* refusing(features.list(invocation.context.tenantId, invocation.context.guildId))
      const outside = listed.some((feature) => !feature.inPlan)
      return Reply.private(
        [
          `**Features in ${invocation.guildName}**`,
          ...listed.map(line),
          ...(outside ? ["Features not in your plan come with an upgrade: an admin can run /upgrade."] : []),
          ...yield* syncNotice(invocation)
        ].join("\n")
      )
    })

  const enable = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const key = yield* featureKey(invocation)
      const { guildId, tenantId } = invocation.context
      const enabled = yield* refusing(features.enable(tenantId, guildId, key, Option.none()))
      return Reply.private(
        [`${enabled.name} is on. Its commands appear in this server shortly.`, ...yield* syncNotice(invocation)]
          .join("\n")
      )
    })

  const disable = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const key = yield* featureKey(invocation)
      const { guildId, tenantId } = invocation.context
      const disabled = yield* refusing(features.disable(tenantId, guildId, key))
      return Reply.private(
        [
          `${disabled.name} is off; its settings are kept for when it is turned on again.`,
          ...yield* syncNotice(invocation)
        ].join("\n")
      )
    })

  return handleCommand(featuresCommand, {
    list: { ephemeral: true, run: list },
    enable: { ephemeral: true, run: enable },
    disable: { ephemeral: true, run: disable }
  })
})

/** /features list|enable|disable over GuildFeatures (the plan's remediation when a feature is not in it). */
export const featuresCommands = make
