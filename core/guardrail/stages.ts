import type { MemberLevel } from "../features/Feature.js"
import type { ResolvedCommand } from "../features/FeatureRegistry.js"
import { hasPermissions, missingPermissions, Permission, permissionNames } from "../features/Permissions.js"
import type { Rule } from "../rbac/Rule.js"
import { withArticle } from "../withArticle.js"
import type { CommandContext } from "./CommandContext.js"
import { Decision, type Deny, type DenyCode, type Stage } from "./Decision.js"
import type { PolicySnapshot } from "./PolicySnapshot.js"

/**
 * The guardrail's stages 1–5 as pure checks, shared by the precedence chain
 * (core/rbac/precedence.ts), `explain` (which runs them all) and the fast
 * engine (internal/). Each returns a denial or undefined; denials are the
 * only place that allocates. Stage 6 (quotas) is in quotaStage.ts.
 */

export const deny = (
  stage: Stage,
  code: DenyCode,
  message: string,
  remediation: string,
  context: Record<string, string | number | boolean | null>
): Deny => Decision.Deny({ stage, code, message, remediation, context }) as Deny

export const slash = (resolved: ResolvedCommand) => `/${resolved.key}`

/** The words that may follow `path` in a command Discord can run: none unless it is a command or group with subcommands. */
const subcommandsAfter = (commands: ReadonlyArray<ResolvedCommand>, path: ReadonlyArray<string>) => {
  const next = new Set<string>()
  for (const command of commands) {
    if (command.path.length > path.length && path.every((word, i) => command.path[i] === word)) {
      next.add(command.path[path.length]!)
    }
  }
  return Array.from(next)
}

/** No command runs at this path: a command or group that needs a subcommand, or nothing at all. */
export const unknownCommand = (
  commands: ReadonlyArray<ResolvedCommand>,
  ctx: Pick<CommandContext, "commandPath">
): Deny => {
  const typed = ctx.commandPath.join(" ")
  const subcommands = ctx.commandPath.length === 0 ? [] : subcommandsAfter(commands, ctx.commandPath)
  return subcommands.length > 0
    ? deny(
      "platform",
      "SUBCOMMAND_REQUIRED",
      `/${typed} needs a subcommand: ${subcommands.join(", ")}`,
      `Run one of them, e.g. /${typed} ${subcommands[0]}`,
      { command: typed, subcommands: subcommands.join(", ") }
    )
    : deny(
      "platform",
      "UNKNOWN_COMMAND",
      `There is no /${typed} command`,
      "The server's command list may be out of date; an admin can run /features to resync it",
      { command: typed }
    )
}

export const guildNotInstalled = (ctx: Pick<CommandContext, "guildId">): Deny =>
  deny(
    "platform",
    "GUILD_NOT_INSTALLED",
    "This server is not set up with the bot yet",
    "The server owner can install it from the dashboard",
    { guildId: ctx.guildId }
  )

/** Stage 1, what the snapshot alone decides: kill switches and the tenant's suspension. */
export const platformStateStage = (resolved: ResolvedCommand, snapshot: PolicySnapshot) => {
  const feature = resolved.feature
  if (snapshot.killAll || snapshot.killedFeatures.has(feature.key)) {
    return deny(
      "platform",
      "KILL_SWITCH",
      `${slash(resolved)} is paused by the operator`,
      "Try again later; the operator has switched it off for maintenance",
      { feature: feature.key, switch: snapshot.killAll ? "*" : feature.key }
    )
  }
  if (snapshot.entitlements.access === "none") {
    return deny(
      "platform",
      "TENANT_RETIRED",
      "This bot no longer serves this server here: its owner moved it or removed it",
      "Ask the server's admins which bot replaces it",
      { feature: feature.key, access: snapshot.entitlements.access }
    )
  }
  if (snapshot.entitlements.access === "essential_only" && feature.access !== "essential") {
    return deny(
      "platform",
      "TENANT_SUSPENDED",
      "This bot's subscription is suspended: only setup and billing commands work",
      "An admin can run /billing to settle the account",
      { feature: feature.key, access: snapshot.entitlements.access }
    )
  }
  return undefined
}

/** Stage 1, what the invocation decides: the bot's own permissions in the channel. */
export const botPermissionStage = (resolved: ResolvedCommand, ctx: CommandContext) => {
  const needed = resolved.requirements.botPermissions
  if (needed === 0n || hasPermissions(ctx.appPermissions, needed)) return undefined
  const missingBits = missingPermissions(ctx.appPermissions, needed)
  const missing = permissionNames(missingBits).join(", ")
  return deny(
    "platform",
    "BOT_MISSING_PERMISSIONS",
    `Missing ${missing}`,
    `Give the bot's role ${missing} (in Server Settings → Roles, or on this channel)`,
    { missing, missingBits: missingBits.toString() }
  )
}

/** Stage 1: kill switches, the tenant's suspension, the bot's own permissions in the channel. */
export const platformStage = (resolved: ResolvedCommand, snapshot: PolicySnapshot, ctx: CommandContext) =>
  platformStateStage(resolved, snapshot) ?? botPermissionStage(resolved, ctx)

/** Stage 2: the plan (with add-ons and overrides) includes the feature, and read-only keeps only reading. */
export const entitlementStage = (resolved: ResolvedCommand, snapshot: PolicySnapshot) => {
  const { entitlements } = snapshot
  const flag = resolved.feature.requires
  if (flag !== null && !entitlements.features.has(flag)) {
    const plan = snapshot.catalog.firstPlanWith(flag)
    return plan._tag === "Some"
      ? deny(
        "entitlement",
        "NOT_IN_PLAN",
        `This command needs the ${plan.value.name} plan`,
        "An admin can run /upgrade",
        { flag, planKey: entitlements.planKey, neededPlan: plan.value.key }
      )
      : deny(
        "entitlement",
        "NOT_IN_PLAN",
        `${slash(resolved)} is not included in any plan`,
        "Ask the bot's operator to grant it",
        { flag, planKey: entitlements.planKey, neededPlan: null }
      )
  }
  if (entitlements.access === "read_only" && resolved.feature.access === "write") {
    return deny(
      "entitlement",
      "READ_ONLY",
      `This bot is read-only for now, and ${slash(resolved)} changes things`,
      "An admin can run /billing to restore full access",
      { feature: resolved.feature.key, access: entitlements.access }
    )
  }
  return undefined
}

/** Essential features (setup, billing) are always on; the others must be enabled in the guild. */
export const isFeatureEnabled = (resolved: ResolvedCommand, snapshot: PolicySnapshot): boolean =>
  resolved.feature.access === "essential" || snapshot.enabledFeatures.has(resolved.feature.key)

/** Stage 3: the feature is enabled in this guild. */
export const toggleStage = (resolved: ResolvedCommand, snapshot: PolicySnapshot) =>
  isFeatureEnabled(resolved, snapshot) ? undefined : deny(
    "toggle",
    "FEATURE_DISABLED",
    `${resolved.feature.name} is turned off in this server`,
    `An admin can run /features enable ${resolved.feature.key}`,
    { feature: resolved.feature.key }
  )

/** The lockout guard: the guild owner always passes setup and rule editing, whatever the rules say. */
export const ownerLockoutGuard = (resolved: ResolvedCommand, snapshot: PolicySnapshot, ctx: CommandContext) =>
  resolved.requirements.ownerAlwaysAllowed && ctx.userId === snapshot.ownerId

const subjectWording: Record<Rule["subject"], string> = {
  user: "for you",
  channel: "in this channel",
  category: "in this category",
  role: "for one of your roles",
  guild: "in this server"
}

/** Stage 4's denial: a deny rule matched (the rule is named in the context, for explain and support). */
export const ruleDenied = (resolved: ResolvedCommand, rule: Rule) =>
  deny(
    "rules",
    "RULE_DENIED",
    `${slash(resolved)} is blocked ${subjectWording[rule.subject]}`,
    rule.scope === "platform"
      ? "The bot's operator blocked it; contact support if this is wrong"
      : "A server admin set this rule; an admin can review it with /permissions view",
    { ruleId: rule.id, scope: rule.scope, target: rule.target, subject: rule.subject, subjectId: rule.subjectId }
  )

const hasAnyRole = (roles: CommandContext["memberRoles"], ids: ReadonlySet<string>): boolean => {
  if (ids.size === 0) return false
  for (let i = 0; i < roles.length; i++) if (ids.has(roles[i]!.id)) return true
  return false
}

/** owner > admin (an admin role or the Administrator bit) > mod (a mod role) > member. */
export const memberLevel = (snapshot: PolicySnapshot, ctx: CommandContext): MemberLevel =>
  ctx.userId === snapshot.ownerId
    ? "owner"
    : (ctx.memberPermissions & Permission.Administrator) !== 0n || hasAnyRole(ctx.memberRoles, snapshot.adminRoleIds)
    ? "admin"
    : hasAnyRole(ctx.memberRoles, snapshot.modRoleIds)
    ? "mod"
    : "member"

const rank: Record<MemberLevel, number> = { member: 0, mod: 1, admin: 2, owner: 3 }

const levelWording: Record<MemberLevel, string> = {
  member: "everyone",
  mod: "moderators",
  admin: "admins",
  owner: "the server owner"
}

/** Whether the command's level requirement is met whatever the member's level: a member command, or the member holds its permission bits. */
export const levelWaived = (resolved: ResolvedCommand, ctx: Pick<CommandContext, "memberPermissions">): boolean => {
  if (resolved.requirements.level === "member") return true
  const bits = resolved.requirements.memberPermissions
  return bits !== null && bits !== 0n && hasPermissions(ctx.memberPermissions, bits)
}

/** Whether a member of `level` is below the command's level. */
export const belowLevel = (resolved: ResolvedCommand, level: MemberLevel): boolean =>
  rank[level] < rank[resolved.requirements.level]

/** The member's level when it is too low for the command (and no permission bit makes up for it); else undefined. */
export const levelShortfall = (
  resolved: ResolvedCommand,
  snapshot: PolicySnapshot,
  ctx: CommandContext
): MemberLevel | undefined => {
  if (levelWaived(resolved, ctx)) return undefined
  const level = memberLevel(snapshot, ctx)
  return belowLevel(resolved, level) ? level : undefined
}

/** Stage 5's denial for a member of `level`. */
export const levelTooLow = (resolved: ResolvedCommand, level: MemberLevel): Deny => {
  const required = resolved.requirements.level
  const bits = resolved.requirements.memberPermissions
  const permissions = bits === null ? null : permissionNames(bits).join(", ")
  return deny(
    "level",
    "LEVEL_TOO_LOW",
    `${slash(resolved)} is for ${levelWording[required]}`,
    required === "owner"
      ? "Ask the server owner to run it"
      : `Ask ${levelWording[required]} to run it, or an admin to give you ${withArticle(required)} role` +
        (permissions === null ? "" : ` or the ${permissions} permission`),
    { required, level, permissions }
  )
}

/** Stage 5: the member's level meets the command's, or the member holds the command's permission bits. */
export const levelStage = (resolved: ResolvedCommand, snapshot: PolicySnapshot, ctx: CommandContext) => {
  const level = levelShortfall(resolved, snapshot, ctx)
  return level === undefined ? undefined : levelTooLow(resolved, level)
}
