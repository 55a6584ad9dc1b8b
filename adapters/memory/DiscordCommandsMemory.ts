import { Context, Effect, Layer, Option } from "effect"
import {
  type ApplicationId,
  type DiscordCommandJson,
  DiscordCommands,
  type DiscordCommandsError,
  type GuildId
} from "../../core/index.js"

/**
 * DiscordCommands held in memory, with a control that records every accepted
 * PUT and can make the next ones fail (the daily limit, missing access): for
 * tests and local runs without a bot.
 */

/** A bulk overwrite Discord accepted. */
export interface RecordedCommandPut {
  readonly applicationId: ApplicationId
  readonly guildId: GuildId
  readonly commands: ReadonlyArray<DiscordCommandJson>
}

export interface DiscordCommandsMemoryControlService {
  /** Every accepted PUT so far, in order (refused ones are not recorded). */
  readonly puts: Effect.Effect<ReadonlyArray<RecordedCommandPut>>
  /** The accepted PUTs for one guild. */
  readonly putsFor: (guildId: GuildId) => Effect.Effect<ReadonlyArray<RecordedCommandPut>>
  /** The guild's current set for the application; None: never set. */
  readonly commands: (
    applicationId: ApplicationId,
    guildId: GuildId
  ) => Effect.Effect<Option.Option<ReadonlyArray<DiscordCommandJson>>>
  /** The next `times` PUTs (default 1) fail with `error`. */
  readonly failNext: (error: DiscordCommandsError, times?: number) => Effect.Effect<void>
  /** How many PUTs were attempted, refused ones included. */
  readonly attempts: Effect.Effect<number>
}

export class DiscordCommandsMemoryControl extends Context.Tag("adapters/memory/DiscordCommandsMemoryControl")<
  DiscordCommandsMemoryControl,
  DiscordCommandsMemoryControlService
>() {}

const make = Effect.sync(() => {
  const recorded: Array<RecordedCommandPut> = []
  const current = new Map<string, ReadonlyArray<DiscordCommandJson>>()
  const failures: Array<DiscordCommandsError> = []
  let attempts = 0

  const commands = DiscordCommands.of({
    overwriteGuildCommands: (applicationId, guildId, set) =>
      Effect.suspend(() => {
        attempts++
        const failure = failures.shift()
        if (failure !== undefined) return Effect.fail(failure)
        current.set(`${applicationId}/${guildId}`, set)
        recorded.push({ applicationId, guildId, commands: set })
        return Effect.void
      })
  })

  const control = DiscordCommandsMemoryControl.of({
    puts: Effect.sync(() => recorded.slice()),
    putsFor: (guildId) => Effect.sync(() => recorded.filter((put) => put.guildId === guildId)),
    commands: (applicationId, guildId) =>
      Effect.sync(() => Option.fromNullable(current.get(`${applicationId}/${guildId}`))),
    failNext: (error, times = 1) =>
      Effect.sync(() => {
        for (let i = 0; i < times; i++) failures.push(error)
      }),
    attempts: Effect.sync(() => attempts)
  })

  return Context.make(DiscordCommands, commands).pipe(Context.add(DiscordCommandsMemoryControl, control))
})

/** DiscordCommands in memory, and the control that inspects it and programs failures. */
export const DiscordCommandsMemory: Layer.Layer<DiscordCommands | DiscordCommandsMemoryControl> = Layer
  .effectContext(make)
