import { Context, Effect, Layer, Option } from "effect"
import type { CommandContext } from "../guardrail/CommandContext.js"
import { Guardrail } from "../guardrail/Guardrail.js"
import { PolicyCache } from "../guardrail/PolicyCache.js"
import { guildNotInstalled } from "../guardrail/stages.js"
import type { ApplicationId } from "../ports/DiscordCommands.js"
import { BotCommands, type CommandHandler, commandKey } from "./BotCommands.js"
import type { CommandInvocation, OptionValue } from "./CommandInvocation.js"
import { fitReply, Reply } from "./Reply.js"

/** A slash command as the adapter sees it, before the guild's tenant is known. */
export interface IncomingCommand {
  readonly context: Omit<CommandContext, "tenantId">
  readonly options: Readonly<Record<string, OptionValue>>
  readonly guildName: string
  readonly applicationId: ApplicationId
}

const denial = (message: string, remediation: string | null) =>
  Reply.private(remediation === null ? message : `${message}\n-# ${remediation}`)

const make = Effect.gen(function*() {
  const guardrail = yield* Guardrail
  const cache = yield* PolicyCache
  const handlers = yield* BotCommands

  const handlerFor = (path: ReadonlyArray<string>): CommandHandler | undefined => handlers.get(commandKey(path))

  const runHandler = (handler: CommandHandler, invocation: CommandInvocation) =>
    handler.run(invocation).pipe(
      Effect.catchTag("CommandRefused", (refused) => Effect.succeed(denial(refused.message, refused.remediation))),
      Effect.catchAllDefect((defect) =>
        Effect.logError("command failed", defect).pipe(
          Effect.as(Reply.private(
            `Something went wrong running this command. Reference: ${invocation.context.interactionId}`
          ))
        )
      )
    )

  /**
   * One slash command, start to answer: the guild's tenant from the policy
   * cache, `Guardrail.check`, then the command's handler. A denial is
   * ephemeral with its remediation; a handler's refusal too; a defect is
   * logged and answered with a reference the admin can give support.
   */
  const run = (incoming: IncomingCommand): Effect.Effect<Reply> =>
    Effect.gen(function*() {
      const snapshot = yield* cache.get(incoming.context.guildId)
      if (Option.isNone(snapshot)) {
        const denied = guildNotInstalled(incoming.context)
        return denial(denied.message, denied.remediation)
      }
      const context: CommandContext = { ...incoming.context, tenantId: snapshot.value.tenantId }
      const decision = yield* guardrail.check(context)
      if (decision._tag === "Deny") {
        yield* Effect.logInfo("command denied").pipe(
          Effect.annotateLogs({ code: decision.code, stage: decision.stage })
        )
        return denial(decision.message, decision.remediation)
      }
      const handler = handlerFor(context.commandPath)
      if (handler === undefined) {
        return Reply.private(`/${commandKey(context.commandPath)} is not available in this version of the bot.`)
      }
      return fitReply(
        yield* runHandler(handler, {
          context,
          options: incoming.options,
          guildName: incoming.guildName,
          applicationId: incoming.applicationId
        })
      )
    }).pipe(
      Effect.annotateLogs({
        guildId: incoming.context.guildId,
        userId: incoming.context.userId,
        command: commandKey(incoming.context.commandPath),
        interactionId: incoming.context.interactionId
      }),
      Effect.withSpan("Interactions.run")
    )

  return { run, handlerFor } as const
})

/** Slash commands through the guardrail to their handlers: what the Discord adapter calls per interaction. */
export interface InteractionsService {
  /** One slash command to its answer; a denial, a refusal or a defect is answered too, never raised. */
  readonly run: (incoming: IncomingCommand) => Effect.Effect<Reply>
  /** The handler registered for a command path, if any. */
  readonly handlerFor: (path: ReadonlyArray<string>) => CommandHandler | undefined
}

export class Interactions extends Context.Tag("core/Interactions")<Interactions, InteractionsService>() {
  static readonly layer = Layer.effect(Interactions, make)
}
