import { Context, Data, Effect, Layer } from "effect"
import type { CommandDefinition, SubcommandDefinition } from "../features/Feature.js"
import type { CommandInvocation } from "./CommandInvocation.js"
import type { Reply } from "./Reply.js"

/**
 * A failure a member or admin can act on: shown to them (ephemeral) as
 * `message` and `remediation`. Handlers map their typed errors to this; any
 * other failure is logged and answered with a generic message and a reference.
 */
export class CommandRefused extends Data.TaggedError("CommandRefused")<{
  readonly message: string
  readonly remediation: string | null
}> {
  static of(message: string, remediation: string | null = null): CommandRefused {
    return new CommandRefused({ message, remediation })
  }
}

/**
 * Runs one command the guardrail allowed. `ephemeral` says, before the
 * handler runs, whether its answer is private (Discord fixes that when the
 * adapter defers a slow reply).
 */
export interface CommandHandler {
  readonly ephemeral: boolean
  readonly run: (invocation: CommandInvocation) => Effect.Effect<Reply, CommandRefused>
}

/** The handlers by command path ("rank", "xp reset", "permissions allow"), as handleCommand builds them. */
export type CommandHandlerMap = ReadonlyMap<string, CommandHandler>

export const commandKey = (path: ReadonlyArray<string>): string => path.join(" ")

/** Every command handler the bot has; a command without one answers that it is not available here. */
export class BotCommands extends Context.Tag("core/BotCommands")<BotCommands, CommandHandlerMap>() {
  /** One map of several; two handlers for one command is a wiring mistake and throws at startup. */
  static merge(...maps: ReadonlyArray<CommandHandlerMap>): CommandHandlerMap {
    const merged = new Map<string, CommandHandler>()
    for (const map of maps) {
      for (const [key, handler] of map) {
        if (merged.has(key)) throw new Error(`Two handlers for the command /${key}`)
        merged.set(key, handler)
      }
    }
    return merged
  }

  /** A layer from effects that each build a group of handlers (yielding the services they use). */
  static layer<const Groups extends ReadonlyArray<Effect.Effect<CommandHandlerMap, unknown, unknown>>>(
    ...groups: Groups
  ): Layer.Layer<BotCommands, Effect.Effect.Error<Groups[number]>, Effect.Effect.Context<Groups[number]>> {
    // Each group's error and requirements join the layer's (inference alone would take the first group's).
    const all = groups as ReadonlyArray<
      Effect.Effect<CommandHandlerMap, Effect.Effect.Error<Groups[number]>, Effect.Effect.Context<Groups[number]>>
    >
    return Layer.effect(BotCommands, Effect.map(Effect.all(all), (maps) => BotCommands.merge(...maps)))
  }
}

/**
 * The handlers a declared command needs, shaped like its declaration: one
 * handler for a command without subcommands, else one entry per subcommand
 * (nested for subcommand groups), keyed by the declared names.
 */
export type CommandHandlersOf<D extends SubcommandDefinition> = D extends {
  readonly subcommands: ReadonlyArray<infer S extends SubcommandDefinition>
} ? { readonly [K in S["name"]]: CommandHandlersOf<Extract<S, { readonly name: K }>> }
  : CommandHandler

/**
 * Links a command's declaration (`defineCommand`) with its handlers; the
 * handlers' shape is checked against the declaration at compile time, and
 * the map is keyed by the paths Discord reports ("xp reset").
 */
export const handleCommand = <const D extends CommandDefinition>(
  command: D,
  handlers: CommandHandlersOf<D>
): CommandHandlerMap => {
  const map = new Map<string, CommandHandler>()
  const link = (declared: SubcommandDefinition, handled: unknown, parent: ReadonlyArray<string>): void => {
    const path = [...parent, declared.name]
    // The types rule this out; a cast around them still fails at startup, not on a member's command.
    if (handled === undefined) throw new Error(`No handler for the command /${commandKey(path)}`)
    if (declared.subcommands === undefined || declared.subcommands.length === 0) {
      map.set(commandKey(path), handled as CommandHandler)
      return
    }
    for (const sub of declared.subcommands) link(sub, (handled as Record<string, unknown>)[sub.name], path)
  }
  link(command, handlers, [])
  return map
}
