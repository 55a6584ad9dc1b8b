import type { Rule } from "../../rbac/Rule.js"
import type { RuleInvocation } from "../../rbac/RuleInvocation.js"

/**
 * Rule groups packed into small integers, for the guardrail's hot path. With
 * 10,000 guilds a decision costs the memory it touches, not its arithmetic,
 * so the numbers that rule a group in or out sit together in one Int32Array
 * and no Rule or stored id string is read unless an id is not a snowflake.
 *
 * A group is `[code, size, fingerprint × size]`: `code` is the subject kind's
 * index in `subjectOrder`, plus PLATFORM for a platform-scope group. Entry j of a run of groups (counting across them)
 * has three confirm words at `confirm + 3j`, kept apart from the groups
 * because they are read only when a fingerprint matches: the id's last nine
 * digits, the nine before, and a tag, `(head * 32 + length) * 2 + deny` where
 * head is the digits before those (an id of up to 20 digits, which every
 * Discord snowflake is). For any other id the tag is -1 (allow) or -2 (deny)
 * and the id string, kept in `ids`, is compared instead.
 */

/** The order the precedence checks a target's subject kinds in (`subjectsOf`); a kind's index is its code in a group. */
export const subjectOrder = ["user", "channel", "category", "role", "guild"] as const
export const USER = 0
const CHANNEL = 1
const CATEGORY = 2
export const ROLE = 3
const GUILD = 4
/**
 * A flag on a platform-scope group's code (ADR 097): a platform allow that
 * matches does not decide, it lifts the operator's broader denies, so matching
 * skips to the tenant's groups. A flag rather than marker groups, so a
 * command's groups take no more words than before and stay in their slot.
 */
export const PLATFORM = 8
const SUBJECT_BITS = 7

/** Words per entry in the confirm region. */
export const CONFIRM_WORDS = 3

/**
 * A small integer from an id's last (up to) six characters and its length.
 * Snowflakes differ mostly in their low digits, so unequal ids almost always
 * differ here and a miss compares two numbers. 30 bits: a small integer, never boxed.
 */
const fingerprint = (id: string): number => {
  let hash = id.length
  for (let i = Math.max(0, id.length - 6); i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) & 0x3fffffff
  return hash
}

/** The value of the decimal digits `id[from, to)` (0 when empty), or -1 when one is not a digit. */
const digitsValue = (id: string, from: number, to: number): number => {
  let value = 0
  for (let i = from; i < to; i++) {
    const digit = id.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

const MAX_DIGITS = 20

/** An id's confirm words (see the module comment). */
const confirmWords = (id: string, deny: boolean): readonly [number, number, number] => {
  const length = id.length
  const low = digitsValue(id, Math.max(0, length - 9), length)
  const middle = digitsValue(id, Math.max(0, length - 18), Math.max(0, length - 9))
  const head = digitsValue(id, 0, Math.max(0, length - 18))
  if (length === 0 || length > MAX_DIGITS || low < 0 || middle < 0 || head < 0) return [0, 0, deny ? -2 : -1]
  return [low, middle, (head * 32 + length) * 2 + (deny ? 1 : 0)]
}

/** Whether the entry whose confirm words start at `words[at]` is `id` (`entries.ids[index]` is its id string). */
const confirms = (words: Int32Array, at: number, id: string, entries: EntryIds, index: number): boolean => {
  const tag = words[at + 2]!
  if (tag < 0) return entries.ids[index] === id
  const length = id.length
  if (length > MAX_DIGITS) return false
  return digitsValue(id, Math.max(0, length - 9), length) === words[at] &&
    digitsValue(id, Math.max(0, length - 18), Math.max(0, length - 9)) === words[at + 1] &&
    digitsValue(id, 0, Math.max(0, length - 18)) * 32 + length === tag >> 1
}

/** Whether the entry whose confirm words start at `words[at]` is a deny rule's. */
export const entryDenies = (words: Int32Array, at: number): boolean => {
  const tag = words[at + 2]!
  return tag < 0 ? tag === -2 : (tag & 1) === 1
}

/**
 * Each entry's id string, read only to confirm an id that is not a snowflake.
 * Passed as the object holding it, so the hot path does not load the array.
 */
export interface EntryIds {
  readonly ids: ReadonlyArray<string>
}

/** Groups being packed: their words, the confirm words and, per entry, its id and rule. */
export interface PackedGroups {
  readonly words: Array<number>
  readonly confirm: Array<number>
  readonly ids: Array<string>
  readonly rules: Array<Rule | undefined>
}

export const emptyPackedGroups = (): PackedGroups => ({ words: [], confirm: [], ids: [], rules: [] })

/** Appends a group of kind `code` whose entries are `entries` (an id and the rule it stands for, if any). */
export const packGroup = (
  packed: PackedGroups,
  code: number,
  entries: Iterable<readonly [id: string, rule: Rule | undefined]>
): void => {
  const sizeAt = packed.words.length + 1
  packed.words.push(code, 0)
  for (const [id, rule] of entries) {
    packed.words.push(fingerprint(id))
    packed.confirm.push(...confirmWords(id, rule?.effect === "deny"))
    packed.ids.push(id)
    packed.rules.push(rule)
    packed.words[sizeAt]!++
  }
}

/**
 * In the group at `words[k]`, whose first entry's confirm words are at
 * `words[confirm]` and id at `entries.ids[first]`: the confirm offset of `id`'s entry, or -1.
 */
export const findInGroup = (
  words: Int32Array,
  k: number,
  confirm: number,
  first: number,
  entries: EntryIds,
  id: string
): number => {
  const size = words[k + 1]!
  const print = fingerprint(id)
  for (let i = 0; i < size; i++) {
    if (words[k + 2 + i] === print) {
      const at = confirm + CONFIRM_WORDS * i
      if (confirms(words, at, id, entries, first + i)) return at
    }
  }
  return -1
}

/**
 * The member's roles over one role group (arguments as `findInGroup`): the confirm
 * offset of the highest-positioned member role's entry (a deny wins a tie), or -1.
 */
export const findRole = (
  words: Int32Array,
  k: number,
  confirm: number,
  first: number,
  entries: EntryIds,
  roles: RuleInvocation["memberRoles"]
): number => {
  let best = -1
  let bestPosition = -Infinity
  for (let r = 0; r < roles.length; r++) {
    const role = roles[r]!
    const at = findInGroup(words, k, confirm, first, entries, role.id)
    if (at < 0) continue
    if (role.position > bestPosition || (role.position === bestPosition && entryDenies(words, at))) {
      best = at
      bestPosition = role.position
    }
  }
  return best
}

/**
 * The first match over the run of groups at `words[start]` up to
 * `words[end]`, whose first entry's confirm words are at `words[confirm]` and
 * id at `entries.ids[first]`: the matching entry's confirm offset, or -1. Groups come
 * in the order the precedence (core/rbac/precedence.ts) consults them, the
 * platform's (flagged PLATFORM) first, so this answers what `decidingRule` answers.
 */
export const matchRuleGroups = (
  words: Int32Array,
  start: number,
  end: number,
  confirm: number,
  first: number,
  entries: EntryIds,
  invocation: RuleInvocation
): number => {
  let at = -1
  for (let k = start; k < end;) {
    const code = words[k]!
    const size = words[k + 1]!
    switch (code & SUBJECT_BITS) {
      case USER:
        at = findInGroup(words, k, confirm, first, entries, invocation.userId)
        break
      case CHANNEL:
        at = findInGroup(words, k, confirm, first, entries, invocation.channelId)
        if (at < 0 && invocation.parentChannelId !== null) {
          at = findInGroup(words, k, confirm, first, entries, invocation.parentChannelId)
        }
        break
      case CATEGORY:
        at = invocation.categoryId === null ? -1 : findInGroup(words, k, confirm, first, entries, invocation.categoryId)
        break
      case ROLE:
        at = findRole(words, k, confirm, first, entries, invocation.memberRoles)
        break
      case GUILD:
        at = findInGroup(words, k, confirm, first, entries, invocation.guildId)
        break
    }
    if (at >= 0) {
      if ((code & PLATFORM) === 0 || entryDenies(words, at)) return at
      // A platform allow: the tenant's groups decide, as if no platform rule matched.
      at = -1
      while (k < end && (words[k]! & PLATFORM) !== 0) {
        const skipped = words[k + 1]!
        k += 2 + skipped
        confirm += CONFIRM_WORDS * skipped
        first += skipped
      }
      continue
    }
    k += 2 + size
    confirm += CONFIRM_WORDS * size
    first += size
  }
  return -1
}
