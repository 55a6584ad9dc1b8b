import { Effect } from "effect"
import type { WelcomeConfig } from "../../features/builtin/welcome.js"
import type { UserId } from "../../ids.js"
import { DiscordMessages } from "../../ports/DiscordMessages.js"
import type { FeatureEventHandlerSet } from "../FeatureEvents.js"
import { maxReplyLength } from "../Reply.js"

/**
 * The welcome message: `{user}` becomes the member's mention (the only
 * mention the message may ping), `{guild}` the server's name as the gateway
 * reported it on the join. Cut to Discord's 2,000 characters.
 */
export const renderWelcome = (template: string, member: { readonly userId: UserId; readonly guildName: string }) => {
  // Replacer functions: a name such as "Cash $& Co" is inserted as written, not as a replacement pattern.
  const text = template.replaceAll("{user}", () => `<@${member.userId}>`).replaceAll("{guild}", () => member.guildName)
  return text.length <= maxReplyLength ? text : `${text.slice(0, maxReplyLength - 2)} …`
}

/** Greets each member who joins in the configured channel; nothing while no channel is set. */
export const welcomeEvents = Effect.gen(function*() {
  const messages = yield* DiscordMessages

  const handlers: FeatureEventHandlerSet = {
    MemberJoined: (event, context) => {
      // The dispatcher decoded it with the feature's schema.
      const config = context.config as WelcomeConfig
      if (config.channelId === null) return Effect.void
      return messages.send({
        guildId: event.guildId,
        channelId: config.channelId,
        content: renderWelcome(config.template, event),
        mentions: { users: [event.userId], roles: [] }
      }).pipe(
        // The admin reads this in the logs (and a later /status); Discord's refusal is not the member's problem.
        Effect.catchTag(
          "DiscordMessageError",
          (error) =>
            Effect.logWarning(`welcome: the greeting was not posted: ${error.message}. ${error.remediation}`).pipe(
              Effect.annotateLogs({ channelId: config.channelId, reason: error.reason })
            )
        ),
        Effect.annotateLogs({ feature: "welcome", guildId: event.guildId, userId: event.userId }),
        Effect.withSpan("welcome.MemberJoined")
      )
    }
  }
  return handlers
})
