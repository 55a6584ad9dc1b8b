import { Context, Effect, Layer, Option } from "effect"
import {
  DiscordRoleError,
  type DiscordRoleFailure,
  DiscordRoles,
  type GuildId,
  type RoleChange,
  type RoleId,
  type UserId
} from "../../core/index.js"

/**
 * DiscordRoles against fake guilds held in memory, with a control to set them
 * up and inspect them: for tests and local runs without a bot. It behaves as
 * Discord does where handlers depend on it: granting a held role or revoking
 * one not held changes nothing, and a user who is not a member is refused
 * (unknown_member).
 */

/** An effective role change the fake guilds recorded (no-ops are not recorded). */
export interface RecordedRoleChange extends RoleChange {
  readonly action: "grant" | "revoke"
}

export interface DiscordRolesMemoryControlService {
  /** Makes `userId` a member of `guildId` holding `roles` (replacing any membership). */
  readonly addMember: (guildId: GuildId, userId: UserId, roles?: ReadonlyArray<RoleId>) => Effect.Effect<void>
  /** The member leaves the guild. */
  readonly removeMember: (guildId: GuildId, userId: UserId) => Effect.Effect<void>
  /** The next `times` calls (grant, revoke or memberRoles; default 1) fail with `reason`. */
  readonly failNext: (
    reason: DiscordRoleFailure,
    options?: { readonly times?: number; readonly retryAfterMs?: number | null }
  ) => Effect.Effect<void>
  /** The member's roles, None when not a member. */
  readonly roles: (guildId: GuildId, userId: UserId) => Effect.Effect<Option.Option<ReadonlyArray<RoleId>>>
  /** Every effective grant and revoke so far, in order. */
  readonly changes: Effect.Effect<ReadonlyArray<RecordedRoleChange>>
  /** How many grants and revokes took effect (no-ops excluded). */
  readonly counts: Effect.Effect<{ readonly grants: number; readonly revokes: number }>
}

export class DiscordRolesMemoryControl extends Context.Tag("adapters/memory/DiscordRolesMemoryControl")<
  DiscordRolesMemoryControl,
  DiscordRolesMemoryControlService
>() {}

const memberKey = (guildId: GuildId, userId: UserId) => `${guildId}/${userId}`

const make = Effect.sync(() => {
  const members = new Map<string, Set<RoleId>>()
  const recorded: Array<RecordedRoleChange> = []
  const failures: Array<DiscordRoleError> = []

  /** The next programmed failure, if any; consumed. */
  const programmedFailure = Effect.suspend(() => {
    const failure = failures.shift()
    return failure === undefined ? Effect.void : Effect.fail(failure)
  })

  const change = (action: "grant" | "revoke", roleChange: RoleChange) =>
    Effect.zipRight(
      programmedFailure,
      Effect.suspend(() => {
        const roles = members.get(memberKey(roleChange.guildId, roleChange.userId))
        if (roles === undefined) return Effect.fail(DiscordRoleError.of("unknown_member"))
        const effective = action === "grant" ? !roles.has(roleChange.roleId) : roles.has(roleChange.roleId)
        if (effective) {
          if (action === "grant") roles.add(roleChange.roleId)
          else roles.delete(roleChange.roleId)
          recorded.push({ ...roleChange, action })
        }
        return Effect.void
      })
    )

  const rolesOf = (guildId: GuildId, userId: UserId) =>
    Option.map(
      Option.fromNullable(members.get(memberKey(guildId, userId))),
      (roles): ReadonlyArray<RoleId> => Array.from(roles)
    )

  const roles = DiscordRoles.of({
    grant: (roleChange) => change("grant", roleChange),
    revoke: (roleChange) => change("revoke", roleChange),
    memberRoles: (guildId, userId) => Effect.zipRight(programmedFailure, Effect.sync(() => rolesOf(guildId, userId)))
  })

  const control = DiscordRolesMemoryControl.of({
    addMember: (guildId, userId, held = []) =>
      Effect.sync(() => void members.set(memberKey(guildId, userId), new Set(held))),
    removeMember: (guildId, userId) => Effect.sync(() => void members.delete(memberKey(guildId, userId))),
    failNext: (reason, options = {}) =>
      Effect.sync(() => {
        for (let i = 0; i < (options.times ?? 1); i++) {
          failures.push(DiscordRoleError.of(reason, options.retryAfterMs ?? null))
        }
      }),
    roles: (guildId, userId) => Effect.sync(() => rolesOf(guildId, userId)),
    changes: Effect.sync(() => recorded.slice()),
    counts: Effect.sync(() => ({
      grants: recorded.filter(({ action }) => action === "grant").length,
      revokes: recorded.filter(({ action }) => action === "revoke").length
    }))
  })

  return Context.make(DiscordRoles, roles).pipe(Context.add(DiscordRolesMemoryControl, control))
})

/** DiscordRoles over fake guilds, and the control that sets them up and inspects them. */
export const DiscordRolesMemory: Layer.Layer<DiscordRoles | DiscordRolesMemoryControl> = Layer.effectContext(make)
