import {
  ApplicationCommandOptionType,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
  type GuildMember
} from "discord.js"
import {
  ApplicationId,
  ChannelId,
  GuildId,
  type IncomingCommand,
  type OptionValue,
  RoleId,
  UserId
} from "../../core/index.js"

/** The invoked path and the leaf options: subcommand groups and subcommands nest their options. */
const pathAndOptions = (interaction: ChatInputCommandInteraction) => {
  const path = [interaction.commandName]
  let options: ReadonlyArray<CommandInteractionOption> = interaction.options.data
  for (;;) {
    const nested = options.find((option) =>
      option.type === ApplicationCommandOptionType.Subcommand ||
      option.type === ApplicationCommandOptionType.SubcommandGroup
    )
    if (nested === undefined) break
    path.push(nested.name)
    options = nested.options ?? []
  }
  const values: Record<string, OptionValue> = {}
  for (const option of options) {
    if (option.value !== undefined && option.value !== null) values[option.name] = option.value
  }
  return { path, values }
}

/** The member's roles with their positions; a member Discord sent without the guild cached has ids only. */
const memberRoles = (interaction: ChatInputCommandInteraction) => {
  const member = interaction.member
  if (member === null) return []
  const ids: ReadonlyArray<string> = Array.isArray(member.roles)
    ? member.roles
    : Array.from((member as GuildMember).roles.cache.keys())
  return ids
    .filter((id) => id !== interaction.guildId) // @everyone is the guild-wide default, not a role rule subject
    .map((id) => ({ id: RoleId.make(id), position: interaction.guild?.roles.cache.get(id)?.position ?? 0 }))
}

/** Thread → its parent channel; the category is the (parent) channel's parent. */
const channelPlacement = (interaction: ChatInputCommandInteraction) => {
  const channel = interaction.channel
  if (channel === null || !("parentId" in channel)) return { parent: null, category: null }
  if (channel.isThread()) {
    const parent = channel.parent
    return { parent: channel.parentId, category: parent?.parentId ?? null }
  }
  return { parent: null, category: channel.parentId }
}

const optionalChannel = (id: string | null) => (id === null ? null : ChannelId.make(id))

/** A guild slash command as the core takes it (`Interactions.run`); null outside a guild. */
export const incomingCommand = (interaction: ChatInputCommandInteraction): IncomingCommand | null => {
  if (interaction.guildId === null) return null
  const { path, values } = pathAndOptions(interaction)
  const placement = channelPlacement(interaction)
  return {
    context: {
      guildId: GuildId.make(interaction.guildId),
      userId: UserId.make(interaction.user.id),
      memberRoles: memberRoles(interaction),
      memberPermissions: interaction.memberPermissions?.bitfield ?? 0n,
      channelId: ChannelId.make(interaction.channelId),
      parentChannelId: optionalChannel(placement.parent),
      categoryId: optionalChannel(placement.category),
      appPermissions: interaction.appPermissions.bitfield,
      commandPath: path,
      interactionId: interaction.id
    },
    options: values,
    guildName: interaction.guild?.name ?? "",
    applicationId: ApplicationId.make(interaction.applicationId)
  }
}
