import { type ChatInputCommandInteraction, DiscordAPIError, MessageFlags } from "discord.js"
import { Duration, Effect, Exit, Fiber, Option } from "effect"
import { Interactions, type Reply } from "../../core/index.js"
import { incomingCommand } from "./incomingCommand.js"

/** Discord wants an answer within 3 s: a handler still running after this is deferred, then edited. */
export const deferAfter = Duration.seconds(1)

/** Calls discord.js; a failure (the interaction expired: 10062, or was answered: 40060) is logged, never thrown. */
const discordCall = (what: string, call: () => Promise<unknown>) =>
  Effect.tryPromise(call).pipe(
    Effect.asVoid,
    Effect.catchAll((error) =>
      Effect.logWarning(`discord: ${what} failed`, {
        code: error.error instanceof DiscordAPIError ? error.error.code : null,
        message: error.error instanceof Error ? error.error.message : String(error.error)
      })
    )
  )

const flagsOf = (ephemeral: boolean) => (ephemeral ? MessageFlags.Ephemeral : undefined)

/**
 * Answers a slash command: the core's answer goes out at once when it comes
 * within `deferAfter`; otherwise the reply is deferred (ephemeral when the
 * handler's answers are) and edited when the handler is done. An answer of
 * the other visibility than the deferral becomes an ephemeral follow-up.
 */
export const answerCommand = (interaction: ChatInputCommandInteraction) =>
  Effect.gen(function*() {
    const interactions = yield* Interactions
    const incoming = incomingCommand(interaction)
    if (incoming === null) {
      return yield* discordCall("reply", () =>
        interaction.reply({ content: "Commands work inside a server.", flags: MessageFlags.Ephemeral }))
    }
    const running = yield* Effect.fork(interactions.run(incoming))
    const early = yield* Effect.timeoutOption(Fiber.await(running), deferAfter)
    if (Option.isSome(early)) {
      if (Exit.isFailure(early.value)) {
        return yield* Effect.logError("interaction failed", early.value.cause)
      }
      const reply = early.value.value
      return yield* discordCall("reply", () =>
        interaction.reply({ content: reply.content, flags: flagsOf(reply.ephemeral), allowedMentions: { parse: [] } }))
    }
    const ephemeral = interactions.handlerFor(incoming.context.commandPath)?.ephemeral ?? true
    yield* discordCall("defer", () =>
      interaction.deferReply({ flags: flagsOf(ephemeral) }))
    const reply: Reply = yield* Fiber.join(running)
    if (reply.ephemeral && !ephemeral) {
      yield* discordCall("delete deferred reply", () =>
        interaction.deleteReply())
      return yield* discordCall("follow-up", () =>
        interaction.followUp({ content: reply.content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } }))
    }
    yield* discordCall("edit reply", () =>
      interaction.editReply({ content: reply.content, allowedMentions: { parse: [] } }))
  }).pipe(Effect.withSpan("DiscordBot.answer"))
