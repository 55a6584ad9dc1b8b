import type { ChannelId, GuildId, RoleId, TenantId, UserId } from "../ids.js"

/** Everything the guardrail needs about one command invocation, as the Discord adapter sees it. */
export interface CommandContext {
  readonly tenantId: TenantId
  readonly guildId: GuildId
  readonly userId: UserId
  /** The member's roles with their positions (higher position = higher in the role list). */
  readonly memberRoles: ReadonlyArray<{ readonly id: RoleId; readonly position: number }>
  /** The member's resolved Discord permission bits in the channel. */
  readonly memberPermissions: bigint
  /** The channel the command ran in; for a thread, the thread itself. */
  readonly channelId: ChannelId
  /** For a thread: its parent channel (rules for the parent apply to the thread). */
  readonly parentChannelId: ChannelId | null
  readonly categoryId: ChannelId | null
  /** The bot's resolved permission bits in the channel. */
  readonly appPermissions: bigint
  /** The invoked command and subcommand path, e.g. ["xp", "reset"]. */
  readonly commandPath: ReadonlyArray<string>
  /** Discord's interaction id: the idempotency key of the quota charge. */
  readonly interactionId: string
}
