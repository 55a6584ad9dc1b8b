import type { MemberLevel } from "../../features/Feature.js"
import type { FeatureRegistryService, ResolvedCommand } from "../../features/FeatureRegistry.js"
import { Permission } from "../../features/Permissions.js"
import type { Rule } from "../../rbac/Rule.js"
import type { RuleInvocation } from "../../rbac/RuleInvocation.js"
import type { CommandContext } from "../CommandContext.js"
import type { Deny } from "../Decision.js"
import type { PolicySnapshot } from "../PolicySnapshot.js"
import { entitlementStage, levelTooLow, platformStateStage, ruleDenied, toggleStage } from "../stages.js"
import { indexRules, packCommandRules } from "./packRules.js"
import {
  CONFIRM_WORDS,
  emptyPackedGroups,
  type EntryIds,
  findInGroup,
  findRole,
  packGroup,
  ROLE,
  USER
} from "./RuleGroups.js"
import { makeTableArena, type TablePlacement } from "./TableArena.js"

/**
 * What `decide` works out once per snapshot and registry, laid out in one run of small
 * integers in the table arena (see docs/ADR/086-decision-table-layout.md),
 * offsets relative to the table's base:
 *
 * - `SLOT` words per command, at `ordinal * SLOT` (one cache line):
 *   `[status, end, first, confirm, …inline groups]`. status is PASSES,
 *   DENIED_BY_PLATFORM or DENIED_BY_ENTITLEMENT (the Deny is in the table's
 *   `denials`), or where the command's rule groups start: inline when they
 *   fit, else after the confirm words. They end at `end`; their first entry
 *   is entry `first`, its confirm words at `confirm` (see RuleGroups.ts).
 * - The level record at `commands * SLOT`: `[confirm, first]`, then three
 *   groups: the owner (USER), the admin roles and the mod roles (ROLE).
 * - Every entry's confirm words, then the groups that did not fit a slot.
 */
export const SLOT = 16
const SLOT_HEADER = 4

/** A command's status: stages 1–3 pass on this snapshot and no rule can apply. */
export const PASSES = 0
/** A command's status: a kill switch or the tenant's state stops it (stage 1, before the bot's permissions). */
export const DENIED_BY_PLATFORM = -1
/** A command's status: the plan, read-only or the guild's toggle stops it (stages 2–3). */
export const DENIED_BY_ENTITLEMENT = -2

/**
 * A guild's snapshot compiled for one registry: what `decide` reads, owned
 * by the engine that built it (the PolicyCache layer's), never by the
 * snapshot, which stays as it was built. The fields `decide` reads on every
 * call come first, so they share the object's first cache line: (from
 * TablePlacement, repointed when the arena moves the words) the arena chunk
 * and the table's base in it, then the registry whose ordinals index it.
 */
export interface CompiledPolicy extends TablePlacement, EntryIds {
  readonly registry: Pick<FeatureRegistryService, "commands" | "resolveCommand">
  /** LEVEL_TOO_LOW by command ordinal and member level, shared by every policy of the engine. */
  readonly levelDenials: LevelDenials
  readonly snapshot: PolicySnapshot
  /** Per entry: the rule it stands for (undefined for the level record's entries). */
  readonly rules: ReadonlyArray<Rule | undefined>
  /** Per command ordinal: the denial of stages 1–3, or null when they pass. */
  readonly denials: ReadonlyArray<Deny | null>
  /** RULE_DENIED denials built so far, by entry, so a repeated denial allocates nothing. */
  readonly ruleDenials: Array<Deny | undefined>
}

/** LEVEL_TOO_LOW depends only on the command and the member's level: `[ordinal][level]`. */
export type LevelDenials = ReadonlyArray<Readonly<Record<MemberLevel, Deny>>>

const levels: ReadonlyArray<MemberLevel> = ["member", "mod", "admin", "owner"]

/** Compiles snapshots for one registry into tables in an arena of its own. */
export interface DecisionEngine {
  readonly compile: (snapshot: PolicySnapshot) => CompiledPolicy
  /** The arena's chunks and live words, for metrics and the benchmark. */
  readonly stats: () => { readonly chunks: number; readonly liveWords: number }
}

/** An engine for `registry`; the PolicyCache layer makes one when it is built, so nothing is shared between layers. */
export const makeDecisionEngine = (
  registry: Pick<FeatureRegistryService, "commands" | "resolveCommand">
): DecisionEngine => {
  const arena = makeTableArena(SLOT)
  const levelDenials: LevelDenials = registry.commands.map((resolved) =>
    Object.fromEntries(levels.map((level) => [level, levelTooLow(resolved, level)])) as Record<MemberLevel, Deny>
  )
  return {
    compile: (snapshot) => {
      const { ids, rules, denials, words } = build(registry, snapshot)
      const policy: CompiledPolicy = {
        decisionWords: noWords,
        decisionBase: 0,
        registry,
        levelDenials,
        snapshot,
        ids,
        rules,
        denials,
        ruleDenials: []
      }
      arena.place(policy, words)
      return policy
    },
    stats: arena.stats
  }
}

const noWords = new Int32Array(0)

const build = (registry: Pick<FeatureRegistryService, "commands">, snapshot: PolicySnapshot) => {
  const commands = registry.commands
  const packed = emptyPackedGroups()
  const index = indexRules(snapshot.rules)
  const levelAt = commands.length * SLOT
  packGroup(packed, USER, [[snapshot.ownerId, undefined]])
  packGroup(packed, ROLE, Array.from(snapshot.adminRoleIds, (id) => [id, undefined] as const))
  packGroup(packed, ROLE, Array.from(snapshot.modRoleIds, (id) => [id, undefined] as const))
  const level = packed.words.splice(0)
  const confirmAt = levelAt + 2 + level.length

  const denials: Array<Deny | null> = commands.map(() => null)
  const statuses: Array<number> = commands.map(() => PASSES)
  const groups: Array<{ readonly first: number; readonly words: ReadonlyArray<number> } | null> = commands.map(() =>
    null
  )
  for (const resolved of commands) {
    const platform = platformStateStage(resolved, snapshot)
    const entitlement = platform === undefined
      ? entitlementStage(resolved, snapshot) ?? toggleStage(resolved, snapshot)
      : undefined
    denials[resolved.ordinal] = platform ?? entitlement ?? null
    statuses[resolved.ordinal] = platform !== undefined
      ? DENIED_BY_PLATFORM
      : entitlement !== undefined
      ? DENIED_BY_ENTITLEMENT
      : PASSES
    if (platform === undefined && entitlement === undefined) {
      const first = packed.ids.length
      packCommandRules(packed, index, resolved.path, resolved.feature.key)
      if (packed.words.length > 0) groups[resolved.ordinal] = { first, words: packed.words.splice(0) }
    }
  }

  const words: Array<number> = new Array(levelAt).fill(0)
  words.push(confirmAt, 0, ...level, ...packed.confirm)
  for (let ordinal = 0; ordinal < commands.length; ordinal++) {
    const slot = ordinal * SLOT
    const own = groups[ordinal]!
    words[slot] = statuses[ordinal]!
    if (own === null) continue
    const inline = own.words.length <= SLOT - SLOT_HEADER
    const start = inline ? slot + SLOT_HEADER : words.length
    if (inline) words.splice(start, own.words.length, ...own.words)
    else words.push(...own.words)
    words[slot] = start
    words[slot + 1] = start + own.words.length
    words[slot + 2] = own.first
    words[slot + 3] = confirmAt + CONFIRM_WORDS * own.first
  }
  return { ids: packed.ids, rules: packed.rules, denials, words }
}

/** Stage 4's denial by the rule of entry `index`, built once per entry. */
export const ruleDenial = (policy: CompiledPolicy, resolved: ResolvedCommand, index: number): Deny =>
  policy.ruleDenials[index] ??= ruleDenied(resolved, policy.rules[index]!)

/** Whether `userId` owns the guild, from the level record at `words[at]`. */
export const isOwnerIn = (words: Int32Array, base: number, at: number, entries: EntryIds, userId: string): boolean =>
  findInGroup(words, at + 2, base + words[at]!, words[at + 1]!, entries, userId) >= 0

/** `memberLevel` from the level record at `words[at]`. */
export const memberLevelIn = (
  words: Int32Array,
  base: number,
  at: number,
  entries: EntryIds,
  ctx: Pick<CommandContext, "userId" | "memberPermissions"> & Pick<RuleInvocation, "memberRoles">
): MemberLevel => {
  const owner = at + 2
  const ownerSize = words[owner + 1]!
  const admins = owner + 2 + ownerSize
  const adminSize = words[admins + 1]!
  const mods = admins + 2 + adminSize
  const confirm = base + words[at]!
  const first = words[at + 1]!
  if (findInGroup(words, owner, confirm, first, entries, ctx.userId) >= 0) return "owner"
  if (
    (ctx.memberPermissions & Permission.Administrator) !== 0n ||
    findRole(words, admins, confirm + CONFIRM_WORDS * ownerSize, first + ownerSize, entries, ctx.memberRoles) >= 0
  ) return "admin"
  const modConfirm = confirm + CONFIRM_WORDS * (ownerSize + adminSize)
  return findRole(words, mods, modConfirm, first + ownerSize + adminSize, entries, ctx.memberRoles) >= 0
    ? "mod"
    : "member"
}
