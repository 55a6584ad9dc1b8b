import { Context, Effect, Layer } from "effect"
import { DiscordGuilds, type GuildId, type GuildRoleView, manageability } from "../../core/index.js"

/** What the bot sees of a fake guild. */
export type MemoryGuild = GuildRoleView

export interface DiscordGuildsMemoryControlService {
  /** Sets (replaces) what the bot sees of `guildId`. */
  readonly setGuild: (guildId: GuildId, guild: MemoryGuild) => Effect.Effect<void>
}

export class DiscordGuildsMemoryControl extends Context.Tag("adapters/memory/DiscordGuildsMemoryControl")<
  DiscordGuildsMemoryControl,
  DiscordGuildsMemoryControlService
>() {}

const make = Effect.sync(() => {
  const guilds = new Map<GuildId, MemoryGuild>()
  const control: DiscordGuildsMemoryControlService = {
    setGuild: (guildId, guild) => Effect.sync(() => void guilds.set(guildId, guild))
  }
  const service = DiscordGuilds.of({
    roleManageability: (guildId, roleIds) =>
      Effect.sync(() => roleIds.map((roleId) => manageability(guilds.get(guildId), roleId)))
  })
  return { control, service }
})

/** DiscordGuilds over guilds set up in memory (every role unknown until `setGuild`), with its control. */
export const DiscordGuildsMemory: Layer.Layer<DiscordGuilds | DiscordGuildsMemoryControl> = Layer.effectContext(
  Effect.map(
    make,
    ({ control, service }) =>
      Context.make(DiscordGuilds, service).pipe(Context.add(DiscordGuildsMemoryControl, control))
  )
)
