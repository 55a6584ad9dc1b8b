/**
 * The fake Discord's model of a guild and the JSON payloads Discord (API v10) sends
 * for it: the objects discord.js 14 builds its Guild, Role, Channel, GuildMember,
 * Message and interaction structures from.
 */

/** Permission bits the fake computes with (Discord's values). */
export const discordPermissions = {
  administrator: 1n << 3n,
  manageChannels: 1n << 4n,
  manageGuild: 1n << 5n,
  viewChannel: 1n << 10n,
  sendMessages: 1n << 11n,
  manageMessages: 1n << 13n,
  readMessageHistory: 1n << 16n,
  manageRoles: 1n << 28n,
  useApplicationCommands: 1n << 31n
} as const

/** Every permission bit Discord defines today (what an administrator or the owner has). */
export const allPermissions = (1n << 51n) - 1n

/** What a new guild's @everyone role allows. */
export const defaultEveryonePermissions = discordPermissions.viewChannel | discordPermissions.sendMessages |
  discordPermissions.readMessageHistory | discordPermissions.useApplicationCommands

export const channelTypes = {
  text: 0,
  voice: 2,
  category: 4,
  announcement: 5,
  publicThread: 11,
  privateThread: 12,
  forum: 15
} as const

export interface FakeRole {
  readonly id: string
  readonly name: string
  /** Higher is above; @everyone (id = guild id) is 0. */
  readonly position: number
  readonly permissions: bigint
  /** Owned by an integration (a bot's own role, a booster role): nobody can grant it. */
  readonly managed?: boolean
  readonly hoist?: boolean
  readonly mentionable?: boolean
}

export interface FakeChannel {
  readonly id: string
  readonly name: string
  /** See `channelTypes`; threads (10, 11, 12) go to the guild's `threads`. */
  readonly type: number
  readonly parentId?: string
  readonly position?: number
}

export interface FakeMemberInput {
  readonly id: string
  readonly roleIds?: ReadonlyArray<string>
  readonly username?: string
  readonly bot?: boolean
}

export interface FakeGuildInput {
  readonly id: string
  readonly name?: string
  /** Defaults to a user that is not the bot. */
  readonly ownerId?: string
  /** The @everyone role (id = guild id) is added when missing. */
  readonly roles?: ReadonlyArray<FakeRole>
  readonly channels?: ReadonlyArray<FakeChannel>
  /** The roles the bot's own member holds. */
  readonly botRoleIds?: ReadonlyArray<string>
  readonly members?: ReadonlyArray<FakeMemberInput>
}

export interface FakeMember {
  readonly user: FakeUser
  readonly roles: Set<string>
  readonly joinedAt: string
}

export interface FakeUser {
  readonly id: string
  readonly username: string
  readonly bot: boolean
}

/** The fake's state of one guild the bot is in. */
export interface FakeGuild {
  readonly id: string
  /** `BigInt(id) >> 22n`, kept so shard routing does not parse the id per dispatch. */
  readonly shardKey: bigint
  name: string
  ownerId: string
  readonly roles: Map<string, FakeRole>
  readonly channels: Map<string, FakeChannel>
  readonly members: Map<string, FakeMember>
  readonly joinedAt: string
}

export const shardOf = (shardKey: bigint, shardCount: number): number => Number(shardKey % BigInt(shardCount))

const discordEpoch = 1_420_070_400_000n
let increment = 0n

/** A snowflake for now, unique within the process. */
export const nextSnowflake = (): string => {
  increment = (increment + 1n) & 0xfff_ffn
  return String(((BigInt(Date.now()) - discordEpoch) << 22n) | increment)
}

const timestamp = (millis = Date.now()) => new Date(millis).toISOString().replace("Z", "+00:00")

export const makeUser = (id: string, username = `user${id.slice(-6)}`, bot = false): FakeUser => ({
  id,
  username,
  bot
})

export const makeGuild = (input: FakeGuildInput, bot: FakeUser): FakeGuild => {
  const roles = new Map<string, FakeRole>()
  if (!input.roles?.some((role) => role.id === input.id)) {
    roles.set(input.id, { id: input.id, name: "@everyone", position: 0, permissions: defaultEveryonePermissions })
  }
  for (const role of input.roles ?? []) roles.set(role.id, role)
  const joinedAt = timestamp()
  const members = new Map<string, FakeMember>()
  members.set(bot.id, { user: bot, roles: new Set(input.botRoleIds ?? []), joinedAt })
  for (const member of input.members ?? []) {
    members.set(member.id, {
      user: makeUser(member.id, member.username, member.bot ?? false),
      roles: new Set(member.roleIds ?? []),
      joinedAt
    })
  }
  return {
    id: input.id,
    shardKey: BigInt(input.id) >> 22n,
    name: input.name ?? `guild ${input.id}`,
    ownerId: input.ownerId ?? "100000000000000000",
    roles,
    channels: new Map((input.channels ?? []).map((channel) => [channel.id, channel])),
    members,
    joinedAt
  }
}

/** The member's guild-level permissions, as Discord computes them (owner and Administrator: all). */
export const memberPermissions = (guild: FakeGuild, userId: string): bigint => {
  if (userId === guild.ownerId) return allPermissions
  let permissions = guild.roles.get(guild.id)?.permissions ?? 0n
  for (const roleId of guild.members.get(userId)?.roles ?? []) {
    permissions |= guild.roles.get(roleId)?.permissions ?? 0n
  }
  return (permissions & discordPermissions.administrator) === 0n ? permissions : allPermissions
}

/** The position of the member's highest role (0 for @everyone only). */
export const highestPosition = (guild: FakeGuild, userId: string): number => {
  let highest = 0
  for (const roleId of guild.members.get(userId)?.roles ?? []) {
    highest = Math.max(highest, guild.roles.get(roleId)?.position ?? 0)
  }
  return highest
}

export const userPayload = (user: FakeUser) => ({
  id: user.id,
  username: user.username,
  discriminator: "0",
  global_name: null,
  avatar: null,
  bot: user.bot,
  system: false,
  flags: 0,
  public_flags: 0
})

export const rolePayload = (role: FakeRole) => ({
  id: role.id,
  name: role.name,
  color: 0,
  colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
  hoist: role.hoist ?? false,
  icon: null,
  unicode_emoji: null,
  position: role.position,
  permissions: String(role.permissions),
  managed: role.managed ?? false,
  mentionable: role.mentionable ?? false,
  flags: 0,
  ...(role.managed ? { tags: {} } : {})
})

const isThread = (channel: FakeChannel) => channel.type >= 10 && channel.type <= 12

export const channelPayload = (guildId: string, channel: FakeChannel) => ({
  id: channel.id,
  guild_id: guildId,
  type: channel.type,
  name: channel.name,
  position: channel.position ?? 0,
  parent_id: channel.parentId ?? null,
  permission_overwrites: [],
  nsfw: false,
  flags: 0,
  ...(channel.type === channelTypes.text || channel.type === channelTypes.announcement
    ? { topic: null, last_message_id: null, rate_limit_per_user: 0 }
    : {}),
  ...(isThread(channel)
    ? {
      owner_id: "100000000000000000",
      last_message_id: null,
      message_count: 0,
      member_count: 1,
      rate_limit_per_user: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: 1440,
        archive_timestamp: timestamp(),
        locked: false,
        create_timestamp: timestamp()
      }
    }
    : {})
})

export const memberPayload = (member: FakeMember) => ({
  user: userPayload(member.user),
  nick: null,
  avatar: null,
  banner: null,
  roles: Array.from(member.roles),
  joined_at: member.joinedAt,
  premium_since: null,
  deaf: false,
  mute: false,
  flags: 0,
  pending: false,
  communication_disabled_until: null
})

/** Discord sends the member list only for guilds at or under large_threshold members (default 50). */
const largeThreshold = 50

export const guildCreatePayload = (guild: FakeGuild, botUserId: string) => {
  const large = guild.members.size > largeThreshold
  const channels: Array<ReturnType<typeof channelPayload>> = []
  const threads: Array<ReturnType<typeof channelPayload>> = []
  for (const channel of guild.channels.values()) {
    ;(isThread(channel) ? threads : channels).push(channelPayload(guild.id, channel))
  }
  const bot = guild.members.get(botUserId)
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: Array.from(guild.roles.values(), rolePayload),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    max_members: 500_000,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: "en-US",
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    joined_at: guild.joinedAt,
    large,
    unavailable: false,
    member_count: guild.members.size,
    voice_states: [],
    members: large
      ? bot === undefined ? [] : [memberPayload(bot)]
      : Array.from(guild.members.values(), memberPayload),
    channels,
    threads,
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: []
  }
}

export const guildMemberEventPayload = (guildId: string, member: FakeMember) => ({
  guild_id: guildId,
  ...memberPayload(member)
})

export const messagePayload = (options: {
  readonly id: string
  readonly channelId: string
  readonly guildId?: string
  readonly author: FakeUser
  readonly content: string
  readonly flags?: number
  readonly webhookId?: string
  readonly applicationId?: string
}) => ({
  id: options.id,
  type: 0,
  channel_id: options.channelId,
  ...(options.guildId === undefined ? {} : { guild_id: options.guildId }),
  author: userPayload(options.author),
  content: options.content,
  timestamp: timestamp(),
  edited_timestamp: null,
  tts: false,
  mention_everyone: false,
  mentions: [],
  mention_roles: [],
  attachments: [],
  embeds: [],
  components: [],
  pinned: false,
  flags: options.flags ?? 0,
  ...(options.webhookId === undefined ? {} : { webhook_id: options.webhookId }),
  ...(options.applicationId === undefined ? {} : { application_id: options.applicationId })
})
