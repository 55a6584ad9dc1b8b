import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { decide } from "../../core/guardrail/internal/decide.js"
import { makeDecisionEngine } from "../../core/guardrail/internal/DecisionTable.js"
import {
  buildSnapshot,
  type ChannelId,
  decideByPrecedence,
  type Decision,
  explain,
  FeatureRegistry,
  Permission,
  type RoleId,
  Rule,
  UserId
} from "../../core/index.js"
import {
  adminRole,
  allFeatures,
  at,
  catalog,
  channel,
  context,
  guildId,
  memberId,
  modRole,
  ownerId,
  registry,
  role,
  rule,
  source,
  type SourceOptions,
  testFeatures
} from "./fixtures.js"

const snapshotOf = (options: SourceOptions = {}) => buildSnapshot(source(options), catalog, at(0))
/** The fast engine, as the PolicyCache layer runs it: one engine per registry, a policy compiled per snapshot. */
const engine = makeDecisionEngine(registry)
const decideOn = (snapshot: ReturnType<typeof snapshotOf>, ctx: ReturnType<typeof context>) =>
  decide(engine.compile(snapshot), ctx)
const run = (options: SourceOptions, ctx = context()) => decideOn(snapshotOf(options), ctx)

const denial = (decision: Decision) => {
  if (decision._tag !== "Deny") throw new Error(`expected a denial, got ${JSON.stringify(decision)}`)
  return decision
}

describe("decide", () => {
  it("allows a member's /xp rank on a premium guild", () => {
    expect(run({})).toEqual(expect.objectContaining({ _tag: "Allow", ruleAllowed: false }))
  })

  it("UNKNOWN_COMMAND for a path no feature has", () => {
    expect(denial(run({}, context({ commandPath: ["nope"] }))).code).toBe("UNKNOWN_COMMAND")
  })

  describe("stage 1: platform", () => {
    it("KILL_SWITCH for '*' and for the feature's key", () => {
      expect(denial(run({ killSwitches: ["*"] })).code).toBe("KILL_SWITCH")
      expect(denial(run({ killSwitches: ["xp"] }))).toMatchObject({ stage: "platform", code: "KILL_SWITCH" })
      expect(run({ killSwitches: ["analytics"] })._tag).toBe("Allow")
    })

    it("TENANT_SUSPENDED leaves only essential features", () => {
      expect(denial(run({ status: "suspended" })).code).toBe("TENANT_SUSPENDED")
      expect(run({ status: "suspended" }, context({ userId: ownerId, commandPath: ["setup"] }))._tag).toBe("Allow")
    })

    it("TENANT_RETIRED leaves nothing, not even setup: the hosted bot no longer serves the guild", () => {
      expect(denial(run({ status: "retired" })).code).toBe("TENANT_RETIRED")
      const setup = denial(run({ status: "retired" }, context({ userId: ownerId, commandPath: ["setup"] })))
      expect(setup).toMatchObject({ stage: "platform", code: "TENANT_RETIRED" })
    })

    it("BOT_MISSING_PERMISSIONS names the missing permissions", () => {
      const ctx = context({ commandPath: ["sell"], memberRoles: [{ id: modRole, position: 1 }], appPermissions: 0n })
      const denied = denial(run({}, ctx))
      expect(denied.code).toBe("BOT_MISSING_PERMISSIONS")
      expect(denied.message).toBe("Missing Send Messages, Manage Roles")
      expect(denied.remediation).toContain("Give the bot's role Send Messages, Manage Roles")
      const onlyRoles = context({ ...ctx, appPermissions: Permission.SendMessages })
      expect(denial(run({}, onlyRoles)).message).toBe("Missing Manage Roles")
      expect(run({}, context({ ...ctx, appPermissions: Permission.Administrator }))._tag).toBe("Allow")
    })
  })

  describe("stage 2: entitlement", () => {
    it("NOT_IN_PLAN names the cheapest plan with the flag", () => {
      const denied = denial(run({ planKey: "free" }))
      expect(denied).toMatchObject({ stage: "entitlement", code: "NOT_IN_PLAN" })
      expect(denied.message).toBe("This command needs the Basic plan")
      expect(denied.remediation).toBe("An admin can run /upgrade")
      expect(denial(run({ planKey: "basic" }, context({ commandPath: ["stats"] }))).message).toBe(
        "This command needs the Premium plan"
      )
    })

    it("READ_ONLY removes write features and keeps read features", () => {
      expect(denial(run({ status: "read_only" })).code).toBe("READ_ONLY")
      expect(run({ status: "read_only" }, context({ commandPath: ["stats"] }))._tag).toBe("Allow")
    })
  })

  it("stage 3: FEATURE_DISABLED with the enable command; essential features are always on", () => {
    const denied = denial(run({ enabled: ["analytics"] }))
    expect(denied).toMatchObject({ stage: "toggle", code: "FEATURE_DISABLED" })
    expect(denied.remediation).toBe("An admin can run /features enable xp")
    expect(run({ enabled: [] }, context({ userId: ownerId, commandPath: ["setup"] }))._tag).toBe("Allow")
  })

  describe("stage 4: rules", () => {
    it("RULE_DENIED carries the rule; deny is final even for admins", () => {
      const blocking = rule("command:xp rank", "user", memberId, "deny")
      const denied = denial(
        run({ rules: [blocking] }, context({ memberPermissions: Permission.Administrator }))
      )
      expect(denied).toMatchObject({ stage: "rules", code: "RULE_DENIED" })
      expect(denied.context).toMatchObject({ ruleId: blocking.id, target: "command:xp rank", subject: "user" })
    })

    it("an allow skips the level requirement", () => {
      const ctx = context({ commandPath: ["xp", "reset"] })
      expect(denial(run({}, ctx)).code).toBe("LEVEL_TOO_LOW")
      expect(run({ rules: [rule("command:xp reset", "user", memberId, "allow")] }, ctx)).toMatchObject({
        _tag: "Allow",
        ruleAllowed: true
      })
    })

    it("an allow does not skip the earlier stages", () => {
      const allowAll = rule("*", "guild", "100000000000000001", "allow")
      expect(denial(run({ rules: [allowAll], planKey: "free" })).code).toBe("NOT_IN_PLAN")
    })

    it("lockout guard: the owner runs setup whatever the rules say; others are denied", () => {
      const denyAll = rule("*", "guild", "100000000000000001", "deny")
      const lockedOut = rule("command:setup", "user", ownerId, "deny", "platform")
      expect(run({ rules: [denyAll, lockedOut] }, context({ userId: ownerId, commandPath: ["setup"] }))._tag).toBe(
        "Allow"
      )
      expect(
        denial(
          run({ rules: [denyAll] }, context({ memberPermissions: Permission.ManageGuild, commandPath: ["setup"] }))
        ).code
      ).toBe("RULE_DENIED")
      // Commands without the guard: the owner is denied like anyone.
      expect(denial(run({ rules: [denyAll] }, context({ userId: ownerId }))).code).toBe("RULE_DENIED")
    })

    it("channel allow-list: deny analytics guild-wide, allow in channel 2 (and its threads)", () => {
      const rules = [
        rule("feature:analytics", "guild", "100000000000000001", "deny"),
        rule("feature:analytics", "channel", channel(2), "allow")
      ]
      const stats = (over: Parameters<typeof context>[0]) =>
        run({ rules }, context({ commandPath: ["stats"], ...over }))
      expect(denial(stats({ channelId: channel(1) })).code).toBe("RULE_DENIED")
      expect(stats({ channelId: channel(2) })._tag).toBe("Allow")
      expect(stats({ channelId: channel(7), parentChannelId: channel(2) })._tag).toBe("Allow")
      expect(denial(stats({ channelId: channel(7), parentChannelId: channel(1) })).code).toBe("RULE_DENIED")
      // Other features are untouched.
      expect(run({ rules }, context())._tag).toBe("Allow")
    })
  })

  describe("stage 5: level", () => {
    const reset = (over: Parameters<typeof context>[0]) => run({}, context({ commandPath: ["xp", "reset"], ...over }))

    it("LEVEL_TOO_LOW for members and mods; admins by role or Administrator bit, the owner, ManageGuild pass", () => {
      const denied = denial(reset({}))
      expect(denied).toMatchObject({ stage: "level", code: "LEVEL_TOO_LOW" })
      expect(denied.remediation).toContain("Manage Guild")
      expect(denial(reset({ memberRoles: [{ id: modRole, position: 3 }] })).code).toBe("LEVEL_TOO_LOW")
      expect(reset({ memberRoles: [{ id: adminRole, position: 3 }] })._tag).toBe("Allow")
      expect(reset({ memberPermissions: Permission.Administrator })._tag).toBe("Allow")
      expect(reset({ memberPermissions: Permission.ManageGuild })._tag).toBe("Allow")
      expect(reset({ userId: ownerId })._tag).toBe("Allow")
    })

    it("owner-level commands pass only the owner", () => {
      const remove = (over: Parameters<typeof context>[0]) =>
        run({}, context({ commandPath: ["tags", "admin", "remove"], ...over }))
      expect(denial(remove({ memberPermissions: Permission.Administrator })).code).toBe("LEVEL_TOO_LOW")
      expect(remove({ userId: ownerId })._tag).toBe("Allow")
    })

    it("mod-level commands pass mods and above", () => {
      const add = (over: Parameters<typeof context>[0]) =>
        run({}, context({ commandPath: ["tags", "admin", "add"], ...over }))
      expect(denial(add({ memberRoles: [{ id: role(1), position: 5 }] })).code).toBe("LEVEL_TOO_LOW")
      expect(add({ memberRoles: [{ id: role(1), position: 5 }, { id: modRole, position: 1 }] })._tag).toBe("Allow")
      expect(add({ memberRoles: [{ id: adminRole, position: 1 }] })._tag).toBe("Allow")
    })
  })
})

describe("explain", () => {
  it("reports every stage, marks stages after the denial as skipped with their own finding", () => {
    const explanation = explain(registry, snapshotOf({ planKey: "free", enabled: [] }), context())
    expect(explanation.stoppedAt).toBe("entitlement")
    expect(explanation.stages.map((s) => [s.stage, s.verdict])).toEqual([
      ["platform", "pass"],
      ["entitlement", "deny"],
      ["toggle", "skip"],
      ["rules", "skip"],
      ["level", "skip"],
      ["quota", "skip"]
    ])
    expect(explanation.stages[2]!.detail).toContain("FEATURE_DISABLED")
    expect(explanation.decision).toEqual(decideOn(snapshotOf({ planKey: "free", enabled: [] }), context()))
  })

  it("names the deciding rule and skips the level after an allow", () => {
    const allow = rule("feature:xp", "role", role(1), "allow")
    const explanation = explain(
      registry,
      snapshotOf({ rules: [allow] }),
      context({ commandPath: ["xp", "reset"], memberRoles: [{ id: role(1), position: 1 }] })
    )
    expect(explanation.rule?.id).toBe(allow.id)
    expect(explanation.decision).toMatchObject({ _tag: "Allow", ruleAllowed: true })
    expect(explanation.stages.find((s) => s.stage === "level")).toMatchObject({ verdict: "skip" })
    expect(explanation.stages.find((s) => s.stage === "level")!.detail).toContain("LEVEL_TOO_LOW")
  })

  it("an unknown command stops before the stages", () => {
    const explanation = explain(registry, snapshotOf(), context({ commandPath: ["nope"] }))
    expect(explanation.stages.filter((s) => s.verdict === "skip")).toHaveLength(5)
    expect(explanation.decision).toMatchObject({ code: "UNKNOWN_COMMAND" })
  })
})

describe("the decision table", () => {
  it("finds every rule whether a command's groups fit its slot or not", () => {
    // One user group of n rules is 2 + n words: up to 10 fit a slot, 11 and more go after the confirm words.
    for (let n = 8; n <= 14; n++) {
      const users = Array.from({ length: n }, (_, i) => UserId.make(`3000000000000000${String(i).padStart(2, "0")}`))
      const snapshot = snapshotOf({
        rules: users.map((user, i) => rule("command:xp", "user", user, i % 2 ? "deny" : "allow"))
      })
      const policy = engine.compile(snapshot)
      users.forEach((user, i) => {
        for (const commandPath of [["xp", "rank"], ["xp", "reset"]]) {
          const decision = decide(policy, context({ commandPath, userId: user }))
          if (i % 2) expect(denial(decision).code).toBe("RULE_DENIED")
          else expect(decision).toMatchObject({ _tag: "Allow", ruleAllowed: true })
        }
      })
      expect(decide(policy, context({ commandPath: ["setup"], userId: ownerId }))._tag).toBe("Allow")
    }
  })

  it("answers alike through two registries with different command orders, built once per registry", () => {
    const reordered = Either.getOrThrow(FeatureRegistry.make([...testFeatures].reverse()))
    const snapshot = snapshotOf({
      rules: [rule("command:xp reset", "role", role(1), "allow"), rule("feature:xp", "channel", channel(1), "deny")]
    })
    const contexts = registry.commands.flatMap((command) => [
      context({ commandPath: command.path }),
      context({ commandPath: command.path, memberRoles: [{ id: role(1), position: 1 }] }),
      context({ commandPath: command.path, channelId: channel(1) })
    ])
    // A table per registry: each registry's engine compiles the snapshot into a policy of its own.
    const [table, reorderedTable] = [registry, reordered].map((r) => makeDecisionEngine(r).compile(snapshot))
    const through = (policy: typeof table) => contexts.map((ctx) => decide(policy!, ctx))
    const first = through(table)
    expect(through(reorderedTable)).toEqual(first)
    expect(through(table)).toEqual(first)
    expect(reorderedTable).not.toBe(table)
    // Each outcome occurs, so the comparison covers rules, denials and allows.
    expect(first.some((d) => d._tag === "Deny" && d.code === "RULE_DENIED")).toBe(true)
    expect(first.some((d) => d._tag === "Allow" && d.ruleAllowed)).toBe(true)
    expect(first.some((d) => d._tag === "Allow" && !d.ruleAllowed)).toBe(true)
  })
})

/**
 * The fast engine against the specification, core/rbac/precedence.ts. decide
 * packs ids into numbers and reads a Rule only when one decides; the
 * precedence chain compares strings and walks the guild's rules. Ids here share their
 * last digits, differ only in length or leading zeros, sit at the 20-digit
 * limit and beyond it, or are not snowflakes at all, so a fingerprint or
 * packed-id mistake shows up as a disagreement.
 */
describe("decide against the precedence chain", () => {
  const idPool = [
    "100000000000123456",
    "200000000000123456",
    "0200000000000123456",
    "20000000000123456",
    "18446744073709551615",
    "28446744073709551615",
    "184467440737095516150",
    "123456",
    "0123456",
    "member-a",
    "role-b",
    "１２３"
  ]
  const anyId = fc.constantFrom(...idPool)
  const asId = <A>(id: string) => id as A
  const targets = ["*", ...allFeatures.map((f) => `feature:${f}`), ...registry.commands.map((c) => `command:${c.key}`)]
  const ruleArbitrary = fc.record({
    target: fc.constantFrom(...targets),
    subject: fc.constantFrom(...(["user", "channel", "category", "role", "guild"] as const)),
    subjectId: anyId,
    effect: fc.constantFrom(...(["allow", "deny"] as const)),
    scope: fc.constantFrom(...(["platform", "tenant", "tenant"] as const))
  }).map(({ effect, scope, subject, subjectId, target }) =>
    // Without validation: a stored rule's id is always a snowflake, but the fallback for other ids must hold too.
    Rule.make({ ...rule(target, subject, guildId, effect, scope), subjectId }, true)
  )
  const sourceArbitrary = fc.record({
    rules: fc.array(ruleArbitrary, { maxLength: 30 }),
    ownerId: anyId,
    adminRoleIds: fc.uniqueArray(anyId, { maxLength: 3 }),
    modRoleIds: fc.uniqueArray(anyId, { maxLength: 3 }),
    enabled: fc.subarray(allFeatures),
    planKey: fc.constantFrom("free", "basic", "premium"),
    status: fc.constantFrom(...(["active", "active", "read_only", "suspended"] as const))
  })
  const contextArbitrary = fc.record({
    command: fc.constantFrom(...registry.commands),
    userId: anyId,
    channelId: anyId,
    parentChannelId: fc.option(anyId, { nil: null }),
    categoryId: fc.option(anyId, { nil: null }),
    roles: fc.uniqueArray(anyId, { maxLength: 4 }),
    memberPermissions: fc.constantFrom(0n, Permission.ManageGuild, Permission.ManageRoles, Permission.Administrator)
  })

  it.prop(
    "agrees on random guilds and contexts",
    [sourceArbitrary, fc.array(contextArbitrary, { minLength: 1, maxLength: 8 })],
    ([generated, contexts]) => {
      const base = source({
        rules: generated.rules,
        enabled: generated.enabled,
        planKey: generated.planKey,
        status: generated.status
      })
      const snapshot = buildSnapshot(
        {
          ...base,
          tenant: { ...base.tenant, guildDefaults: { modRoleIds: generated.modRoleIds.map(asId<RoleId>) } },
          guild: {
            ...base.guild,
            ownerId: asId<UserId>(generated.ownerId),
            config: { adminRoleIds: generated.adminRoleIds.map(asId<RoleId>) }
          }
        },
        catalog,
        at(0)
      )
      const policy = engine.compile(snapshot)
      for (const generatedContext of contexts) {
        const ctx = context({
          commandPath: generatedContext.command.path,
          userId: asId<UserId>(generatedContext.userId),
          channelId: asId<ChannelId>(generatedContext.channelId),
          parentChannelId: generatedContext.parentChannelId === null
            ? null
            : asId<ChannelId>(generatedContext.parentChannelId),
          categoryId: generatedContext.categoryId === null ? null : asId<ChannelId>(generatedContext.categoryId),
          memberRoles: generatedContext.roles.map((id, position) => ({ id: asId<RoleId>(id), position })),
          memberPermissions: generatedContext.memberPermissions
        })
        expect(decide(policy, ctx)).toEqual(decideByPrecedence(registry, snapshot, ctx))
      }
    },
    { fastCheck: { numRuns: 1_500 } }
  )
})

describe("a snapshot is never written", () => {
  /** Freezes `value` and everything it reaches (but the shared plan catalog); a write then throws (modules are strict). */
  const deepFreeze = <A>(value: A, seen = new Set<unknown>()): A => {
    if (typeof value !== "object" || value === null || seen.has(value)) return value
    seen.add(value)
    const children = value instanceof Map || value instanceof Set
      ? [...value.entries()].flat()
      : Object.entries(value).filter(([key]) => key !== "catalog").map(([, child]) => child)
    for (const child of children) deepFreeze(child, seen)
    return Object.freeze(value)
  }
  const contents = (snapshot: ReturnType<typeof snapshotOf>) =>
    JSON.stringify(snapshot, (_, value) => value instanceof Map || value instanceof Set ? [...value] : value)

  it("compiling it, deciding and explaining leave it as it was built, frozen all the way down", () => {
    const snapshot = deepFreeze(snapshotOf({
      rules: [
        rule("command:xp reset", "role", role(1), "allow"),
        rule("feature:xp", "channel", channel(1), "deny"),
        rule("*", "user", memberId, "deny", "platform")
      ]
    }))
    const before = contents(snapshot)
    const policy = engine.compile(snapshot)
    for (const command of registry.commands) {
      for (
        const ctx of [
          context({ commandPath: command.path }),
          context({ commandPath: command.path, memberRoles: [{ id: role(1), position: 1 }], userId: ownerId }),
          context({ commandPath: command.path, channelId: channel(1), userId: ownerId })
        ]
      ) {
        decide(policy, ctx)
        decide(policy, ctx)
        explain(registry, snapshot, ctx)
      }
    }
    expect(Object.isFrozen(snapshot)).toBe(true)
    expect(contents(snapshot)).toBe(before)
    expect(policy.snapshot).toBe(snapshot)
  })
})
