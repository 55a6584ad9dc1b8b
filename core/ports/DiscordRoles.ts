import { Context, type Effect, type Option, Schema } from "effect"
import type { GuildId, RoleId, UserId } from "../ids.js"

/** Why Discord refused a role change; each reason has a remediation for the guild's admin. */
export const DiscordRoleFailure = Schema.Literal(
  /** 50013: the bot lacks Manage Roles, or the role is above the bot's highest role. */
  "missing_permissions",
  /** 50001: the bot cannot see the guild (kicked, or missing access). */
  "missing_access",
  /** 10007: the member left the guild. */
  "unknown_member",
  /** 10011: the role was deleted. */
  "unknown_role",
  /** 429: retry after retryAfterMs. */
  "rate_limited",
  /** 5xx or a network failure: retry later. */
  "unavailable"
)
export type DiscordRoleFailure = typeof DiscordRoleFailure.Type

/** What Discord's refusal means, and what the guild's admin can do about it. */
const explanations: Record<DiscordRoleFailure, { readonly message: string; readonly remediation: string }> = {
  missing_permissions: {
    message: "Discord refused the role change: the bot lacks permission to manage this role",
    remediation:
      "Give the bot Manage Roles and move its role above the paid role in Server Settings > Roles (a bot can only manage roles below its highest one)."
  },
  missing_access: {
    message: "The bot cannot reach this server",
    remediation: "Re-invite the bot to the server, or restore its access to it."
  },
  unknown_member: {
    message: "The user is not a member of this server",
    remediation: "Nothing to do: the user left the server."
  },
  unknown_role: {
    message: "The role no longer exists in this server",
    remediation:
      "The role was deleted in Discord: sell an existing role instead (PUT /guilds/{guildId}/paid-roles/{roleId}) and remove this one."
  },
  rate_limited: {
    message: "Discord rate-limited the role change",
    remediation: "Nothing to do: it is retried automatically."
  },
  unavailable: {
    message: "Discord is unavailable",
    remediation: "Nothing to do: it is retried automatically."
  }
}

export class DiscordRoleError extends Schema.TaggedError<DiscordRoleError>()("DiscordRoleError", {
  reason: DiscordRoleFailure,
  message: Schema.String,
  /** What an admin can do about it ("move the bot's role above Supporter"). */
  remediation: Schema.String,
  /** For rate_limited and unavailable: how long Discord asked us to wait. */
  retryAfterMs: Schema.NullOr(Schema.Number)
}) {
  /** The error for `reason`, with the message and remediation a guild's admin sees. */
  static of(reason: DiscordRoleFailure, retryAfterMs: number | null = null): DiscordRoleError {
    return new DiscordRoleError({ reason, ...explanations[reason], retryAfterMs })
  }

  /** Worth retrying later; permission and unknown-entity errors are not (retrying them in a loop gets the IP banned). */
  get retryable(): boolean {
    return this.reason === "rate_limited" || this.reason === "unavailable"
  }
}

export interface RoleChange {
  readonly guildId: GuildId
  readonly userId: UserId
  readonly roleId: RoleId
  /** Shown in the guild's audit log. */
  readonly reason: string
}

/** Grants and revokes one role per call. Both are idempotent at Discord (granting a held role changes nothing). */
export interface DiscordRolesService {
  readonly grant: (change: RoleChange) => Effect.Effect<void, DiscordRoleError>
  readonly revoke: (change: RoleChange) => Effect.Effect<void, DiscordRoleError>
  /** The member's roles; None when the user is not a member of the guild. For reconciliation. */
  readonly memberRoles: (
    guildId: GuildId,
    userId: UserId
  ) => Effect.Effect<Option.Option<ReadonlyArray<RoleId>>, DiscordRoleError>
}

export class DiscordRoles extends Context.Tag("core/DiscordRoles")<DiscordRoles, DiscordRolesService>() {}
