import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { matchRules, rulesForCommand } from "../../core/guardrail/internal/packRules.js"
import { ChannelId, decidingRule, GuildId, RoleId, type Rule, type RuleInvocation, UserId } from "../../core/index.js"
import { category, channel, guildId, memberId, otherGuildId, otherMemberId, role, rule } from "./fixtures.js"

const invocation = (over: Partial<RuleInvocation> = {}): RuleInvocation => ({
  guildId,
  userId: memberId,
  channelId: channel(1),
  parentChannelId: null,
  categoryId: category(1),
  memberRoles: [],
  commandPath: ["xp", "rank"],
  ...over
})

/** The rule the specification (core/rbac/precedence.ts) picks. */
const evaluate = (rules: ReadonlyArray<Rule>, over: Partial<RuleInvocation> = {}, featureKey = "xp") =>
  decidingRule(rules, invocation(over), featureKey)

describe("the rules' precedence", () => {
  it("no rules: undefined (the level requirement applies)", () => {
    expect(evaluate([])).toBeUndefined()
  })

  it("the most specific target with a matching rule decides, even against a more specific subject elsewhere", () => {
    const userDenyFeature = rule("feature:xp", "user", memberId, "deny")
    const guildAllowCommand = rule("command:xp", "guild", guildId, "allow")
    expect(evaluate([userDenyFeature, guildAllowCommand])).toBe(guildAllowCommand)
    const subAllow = rule("command:xp rank", "guild", guildId, "allow")
    const cmdDeny = rule("command:xp", "user", memberId, "deny")
    expect(evaluate([cmdDeny, subAllow])).toBe(subAllow)
    // A target without a matching rule does not decide: the next one does.
    const otherUser = rule("command:xp rank", "user", otherMemberId, "allow")
    expect(evaluate([otherUser, cmdDeny])).toBe(cmdDeny)
    expect(evaluate([rule("command:xp reset", "guild", guildId, "deny")])).toBeUndefined()
  })

  it("subjects in order: user → channel → parent → category → roles → guild", () => {
    const rules = [
      rule("*", "guild", guildId, "deny"),
      rule("*", "role", role(1), "allow"),
      rule("*", "category", category(1), "deny"),
      rule("*", "channel", channel(2), "allow"),
      rule("*", "channel", channel(1), "deny"),
      rule("*", "user", memberId, "allow")
    ]
    const roles = [{ id: role(1), position: 1 }]
    expect(evaluate(rules, { memberRoles: roles })).toBe(rules[5])
    expect(evaluate(rules, { memberRoles: roles, userId: otherMemberId })).toBe(rules[4])
    // A thread: its own rule first, then its parent's.
    expect(evaluate(rules, { userId: otherMemberId, channelId: channel(7), parentChannelId: channel(2) })).toBe(
      rules[3]
    )
    expect(evaluate(rules, { userId: otherMemberId, channelId: channel(1), parentChannelId: channel(2) })).toBe(
      rules[4]
    )
    expect(evaluate(rules, { userId: otherMemberId, channelId: channel(7), memberRoles: roles })).toBe(rules[2])
    expect(evaluate(rules, { userId: otherMemberId, channelId: channel(7), categoryId: null, memberRoles: roles }))
      .toBe(
        rules[1]
      )
    expect(evaluate(rules, { userId: otherMemberId, channelId: channel(7), categoryId: null })).toBe(rules[0])
  })

  it("roles from the highest position down, whatever the order they arrive in", () => {
    const low = rule("*", "role", role(1), "deny")
    const high = rule("*", "role", role(2), "allow")
    const roles = [{ id: role(1), position: 2 }, { id: role(3), position: 9 }, { id: role(2), position: 5 }]
    expect(evaluate([low, high], { memberRoles: roles })).toBe(high)
    expect(evaluate([low, high], { memberRoles: [...roles].reverse() })).toBe(high)
    expect(evaluate([low, high], { memberRoles: [{ id: role(1), position: 7 }, { id: role(2), position: 5 }] })).toBe(
      low
    )
  })

  it("platform rules before tenant rules, even less specific ones", () => {
    const tenantAllow = rule("command:xp rank", "user", memberId, "allow")
    const platformDeny = rule("*", "guild", guildId, "deny", "platform")
    expect(evaluate([tenantAllow, platformDeny])).toBe(platformDeny)
    const platformOther = rule("*", "user", otherMemberId, "deny", "platform")
    expect(evaluate([tenantAllow, platformOther])).toBe(tenantAllow)
  })

  it("a platform allow never outranks a tenant's deny: the operator's allow on feature:xp leaves the tenant's deny on the command deciding", () => {
    const platformAllow = rule("feature:xp", "guild", guildId, "allow", "platform")
    const tenantDeny = rule("command:xp rank", "user", memberId, "deny")
    expect(evaluate([platformAllow, tenantDeny])).toBe(tenantDeny)
    // With no tenant rule it decides nothing either: the built-in level requirement applies.
    expect(evaluate([platformAllow])).toBeUndefined()
    expect(matchRules(rulesForCommand([platformAllow, tenantDeny], ["xp", "rank"], "xp"), invocation()))
      .toBe(tenantDeny)
  })

  it("a platform allow lifts the operator's own broader deny, then the tenant's rules decide", () => {
    const platformDeny = rule("*", "guild", guildId, "deny", "platform")
    const platformAllow = rule("feature:xp", "user", memberId, "allow", "platform")
    const tenantAllow = rule("*", "guild", guildId, "allow")
    const tenantDeny = rule("command:xp rank", "guild", guildId, "deny")
    expect(evaluate([platformDeny, platformAllow])).toBeUndefined()
    expect(evaluate([platformDeny, platformAllow, tenantAllow])).toBe(tenantAllow)
    expect(evaluate([platformDeny, platformAllow, tenantDeny])).toBe(tenantDeny)
    expect(evaluate([platformDeny, platformAllow, tenantAllow], { userId: otherMemberId })).toBe(platformDeny)
  })

  it("deny wins between an allow and a deny for the same target and subject", () => {
    const allow = rule("*", "user", memberId, "allow")
    const deny = rule("*", "user", memberId, "deny")
    expect(evaluate([allow, deny])).toBe(deny)
    expect(evaluate([deny, allow])).toBe(deny)
  })

  it("a guild rule names the guild: another guild's id never matches; @everyone's role id is a role, not the guild", () => {
    expect(evaluate([rule("*", "guild", otherGuildId, "deny")])).toBeUndefined()
    expect(evaluate([rule("*", "role", guildId, "deny")])).toBeUndefined()
  })

  it("feature and wildcard targets apply to every path of the feature, subcommand groups included", () => {
    const featureDeny = rule("feature:tags", "guild", guildId, "deny")
    const groupAllow = rule("command:tags admin", "guild", guildId, "allow")
    expect(evaluate([featureDeny, groupAllow], { commandPath: ["tags", "admin", "add"] }, "tags")).toBe(groupAllow)
    expect(evaluate([featureDeny, groupAllow], { commandPath: ["tags", "show"] }, "tags")).toBe(featureDeny)
  })
})

const paths = [
  { commandPath: ["xp", "rank"], featureKey: "xp" },
  { commandPath: ["xp", "reset"], featureKey: "xp" },
  { commandPath: ["tags", "admin", "add"], featureKey: "tags" },
  { commandPath: ["tags", "show"], featureKey: "tags" },
  { commandPath: ["stats"], featureKey: "analytics" }
] as const
const targets = [
  "*",
  "feature:xp",
  "feature:tags",
  "feature:analytics",
  "command:xp",
  "command:xp rank",
  "command:xp reset",
  "command:tags",
  "command:tags admin",
  "command:tags admin add",
  "command:tags show",
  "command:stats"
]
const users = [memberId, otherMemberId]
const channels = [1, 2, 3, 4].map(channel)
const categories = [1, 2].map(category)
const roles = [1, 2, 3, 4, 5].map(role)
const guilds = [guildId, otherGuildId]

const ruleArbitrary = fc
  .record({
    target: fc.constantFrom(...targets),
    subject: fc.constantFrom(...(["user", "channel", "category", "role", "guild"] as const)),
    pick: fc.nat(),
    effect: fc.constantFrom(...(["allow", "deny"] as const)),
    scope: fc.constantFrom(...(["platform", "tenant", "tenant"] as const))
  })
  .map(({ effect, pick, scope, subject, target }) => {
    const pool: ReadonlyArray<string> = subject === "user"
      ? users
      : subject === "channel"
      ? channels
      : subject === "category"
      ? categories
      : subject === "role"
      ? roles
      : guilds
    return rule(target, subject, pool[pick % pool.length]!, effect, scope)
  })

const invocationArbitrary = fc.record({
  path: fc.constantFrom(...paths),
  userId: fc.constantFrom(...users).map((id) => UserId.make(id)),
  channelId: fc.constantFrom(...channels).map((id) => ChannelId.make(id)),
  parentChannelId: fc.option(fc.constantFrom(...channels).map((id) => ChannelId.make(id)), { nil: null }),
  categoryId: fc.option(fc.constantFrom(...categories).map((id) => ChannelId.make(id)), { nil: null }),
  // Discord role positions are unique within a guild.
  memberRoles: fc.shuffledSubarray(roles).chain((ids) =>
    fc.uniqueArray(fc.integer({ min: 1, max: 250 }), { minLength: ids.length, maxLength: ids.length }).map((
      positions
    ) => ids.map((id, i) => ({ id: RoleId.make(id), position: positions[i]! })))
  ),
  guildId: fc.constantFrom(guildId).map((id) => GuildId.make(id))
})

describe("the packed rule groups against the precedence", () => {
  it.prop(
    "agrees on random rule sets and invocations",
    [fc.array(ruleArbitrary, { maxLength: 25 }), invocationArbitrary],
    ([rules, generated]) => {
      const inv: RuleInvocation = { ...generated, commandPath: generated.path.commandPath }
      const expected = decidingRule(rules, inv, generated.path.featureKey)
      // The guardrail's per-command flattening (decide's hot path) must pick the rule the precedence picks.
      const planned = matchRules(rulesForCommand(rules, inv.commandPath, generated.path.featureKey), inv)
      expect(planned?.id).toBe(expected?.id)
    },
    { fastCheck: { numRuns: 2_000 } }
  )
})
