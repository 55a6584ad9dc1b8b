import { Context, type Effect } from "effect"
import type { GuildId, RoleId } from "../ids.js"

/** Why the bot could not grant a role (Discord's rule: not managed, Manage Roles, and below the bot's highest role). */
export type RoleProblem = "unknown_role" | "managed" | "missing_manage_roles" | "above_bot"

export interface RoleManageability {
  readonly roleId: RoleId
  /** The role's name in the guild; null when the role does not exist. */
  readonly name: string | null
  /** null: the bot can grant and revoke it. */
  readonly problem: RoleProblem | null
}

/** What the bot sees of a guild's roles: enough to apply Discord's rule. */
export interface GuildRoleView {
  readonly roles: ReadonlyArray<{
    readonly id: RoleId
    readonly name: string
    readonly position: number
    /** Managed by an integration (a bot's own role, the booster role): nobody can grant it. */
    readonly managed?: boolean
  }>
  /** The position of the bot's highest role. */
  readonly botPosition: number
  readonly botCanManageRoles: boolean
}

/** Discord's rule for granting a role: it exists, is not managed, the bot has Manage Roles and is above it. */
export const manageability = (guild: GuildRoleView | undefined, roleId: RoleId): RoleManageability => {
  const role = guild?.roles.find((candidate) => candidate.id === roleId)
  if (guild === undefined || role === undefined) return { roleId, name: null, problem: "unknown_role" }
  const problem = role.managed === true
    ? "managed"
    : !guild.botCanManageRoles
    ? "missing_manage_roles"
    : role.position >= guild.botPosition
    ? "above_bot"
    : null
  return { roleId, name: role.name, problem }
}

/** What an admin reads when a role cannot be managed. */
export const roleProblemHint = (role: RoleManageability): string => {
  const name = role.name === null ? `<@&${role.roleId}>` : `@${role.name}`
  switch (role.problem) {
    case null:
      return `${name} can be managed by the bot`
    case "unknown_role":
      return `${name} does not exist in this server any more: pick another role`
    case "managed":
      return `${name} is managed by an integration (a bot's or a booster role): pick another role`
    case "missing_manage_roles":
      return `The bot lacks Manage Roles: grant it to the bot's role in Server Settings > Roles`
    case "above_bot":
      return `${name} is above the bot's highest role: move the bot's role above ${name} in Server Settings > Roles`
  }
}

/** What the bot knows about a guild from the gateway (its cache), for checks before acting. */
export interface DiscordGuildsService {
  /** Whether the bot can grant and revoke each role, by Discord's hierarchy rules. */
  readonly roleManageability: (
    guildId: GuildId,
    roleIds: ReadonlyArray<RoleId>
  ) => Effect.Effect<ReadonlyArray<RoleManageability>>
}

export class DiscordGuilds extends Context.Tag("core/DiscordGuilds")<DiscordGuilds, DiscordGuildsService>() {}
