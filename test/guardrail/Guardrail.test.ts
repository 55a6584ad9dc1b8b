import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, FastCheck as fc, TestClock } from "effect"
import { type CommandContext, type Decision, Guardrail, Permission, type PolicySource } from "../../core/index.js"
import { guardrailLayer, recordingQuotaStore, testPolicyStore } from "./doubles.js"
import {
  adminRole,
  allFeatures,
  channel,
  context,
  guildId,
  memberId,
  modRole,
  otherGuildId,
  ownerId,
  role,
  rule,
  source,
  type SourceOptions
} from "./fixtures.js"

/** Runs `checks` through a Guardrail over one guild's policy and a recording QuotaStore. */
const withGuardrail = <A>(
  policy: PolicySource | null,
  quotas: ReturnType<typeof recordingQuotaStore>,
  body: Effect.Effect<A, never, Guardrail>
) =>
  Effect.gen(function*() {
    const store = yield* testPolicyStore
    if (policy !== null) store.sources.set(policy.guild.guildId, policy)
    return yield* Effect.provide(body, guardrailLayer(store.layer, quotas.layer))
  })

const check = (ctx: CommandContext) => Effect.flatMap(Guardrail, (guardrail) => guardrail.check(ctx))

describe("Guardrail.check", () => {
  it.effect("an allowed command charges the guild's commands per minute and its cooldown, keyed by the interaction", () =>
    Effect.gen(function*() {
      const quotas = recordingQuotaStore()
      const ctx = context()
      const decision = yield* withGuardrail(source(), quotas, check(ctx))
      expect(decision._tag).toBe("Allow")
      expect(quotas.calls).toHaveLength(1)
      expect(quotas.calls[0]).toMatchObject({
        guildId,
        idempotencyKey: ctx.interactionId,
        charges: [
          { meter: "commands", scopeKey: guildId, window: "minute", limit: 600, amount: 1 },
          { meter: "cooldown:xp rank", scopeKey: memberId, window: { seconds: 30 }, limit: 1, amount: 1 }
        ]
      })
      // No cooldown on /stats: one charge.
      yield* withGuardrail(source(), quotas, check(context({ commandPath: ["stats"] })))
      expect(quotas.calls[1]!.charges).toHaveLength(1)
    }))

  it.effect("a retried interaction is charged once and answered the same", () =>
    Effect.gen(function*() {
      const quotas = recordingQuotaStore()
      const ctx = context()
      const [first, second] = yield* withGuardrail(source(), quotas, Effect.all([check(ctx), check(ctx)]))
      expect([first._tag, second._tag]).toEqual(["Allow", "Allow"])
      expect(quotas.granted.size).toBe(1)
    }))

  it.effect("QUOTA_EXHAUSTED and COOLDOWN say when to try again", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(10_000)
      const exhausted = (meter: string) =>
        recordingQuotaStore(() => ({
          _tag: "Exhausted",
          meter,
          limit: meter === "commands" ? 600 : 1,
          used: meter === "commands" ? 600 : 1,
          resetsAt: DateTime.unsafeMake(22_500)
        }))
      const perMinute = yield* withGuardrail(source(), exhausted("commands"), check(context()))
      expect(perMinute).toMatchObject({ _tag: "Deny", stage: "quota", code: "QUOTA_EXHAUSTED" })
      expect((perMinute as Extract<Decision, { _tag: "Deny" }>).remediation).toContain("Try again in 13s")
      const cooling = yield* withGuardrail(source(), exhausted("cooldown:xp rank"), check(context()))
      expect(cooling).toMatchObject({ _tag: "Deny", code: "COOLDOWN", remediation: "Try again in 13s" })
    }))

  it.effect("GUILD_NOT_INSTALLED when the store has no policy, consuming nothing", () =>
    Effect.gen(function*() {
      const quotas = recordingQuotaStore()
      const decision = yield* withGuardrail(null, quotas, check(context()))
      expect(decision).toMatchObject({ _tag: "Deny", code: "GUILD_NOT_INSTALLED" })
      expect(quotas.calls).toHaveLength(0)
    }))

  it.effect("explain goes through the same snapshot and consumes nothing", () =>
    Effect.gen(function*() {
      const quotas = recordingQuotaStore()
      const explanation = yield* withGuardrail(
        source({ rules: [rule("feature:xp", "channel", channel(1), "deny")] }),
        quotas,
        Effect.flatMap(Guardrail, (guardrail) => guardrail.explain(context()))
      )
      expect(explanation.stoppedAt).toBe("rules")
      expect(explanation.decision).toMatchObject({ code: "RULE_DENIED" })
      expect(quotas.calls).toHaveLength(0)
    }))
})

const paths: ReadonlyArray<ReadonlyArray<string>> = [
  ["xp", "rank"],
  ["xp", "reset"],
  ["stats"],
  ["sell"],
  ["setup"],
  ["tags", "admin", "remove"],
  ["nope"]
]

const scenario = fc.record({
  planKey: fc.constantFrom("free", "basic", "premium", "enterprise"),
  status: fc.constantFrom(...(["active", "active", "read_only", "suspended"] as const)),
  enabled: fc.subarray(allFeatures),
  killSwitches: fc.subarray(["*", "xp", "analytics"], { maxLength: 1 }),
  denyChannel: fc.boolean(),
  commandPath: fc.constantFrom(...paths),
  userId: fc.constantFrom(memberId, ownerId),
  roles: fc.subarray([modRole, adminRole, role(1)]),
  memberPermissions: fc.constantFrom(0n, Permission.ManageGuild, Permission.Administrator),
  appPermissions: fc.constantFrom(0n, Permission.SendMessages | Permission.ManageRoles),
  channel: fc.constantFrom(1, 2),
  installed: fc.boolean(),
  quotaLeft: fc.boolean()
})

describe("denials consume nothing", () => {
  it.effect.prop(
    "a denial never reaches the QuotaStore unless it is the quota's own; an allow is charged once per interaction",
    [scenario],
    ([s]) =>
      Effect.gen(function*() {
        const options: SourceOptions = {
          planKey: s.planKey,
          status: s.status,
          enabled: s.enabled,
          killSwitches: s.killSwitches,
          rules: s.denyChannel ? [rule("*", "channel", channel(2), "deny")] : []
        }
        const quotas = recordingQuotaStore(() =>
          s.quotaLeft
            ? undefined
            : { _tag: "Exhausted", meter: "commands", limit: 1, used: 1, resetsAt: null }
        )
        const ctx = context({
          guildId: s.installed ? guildId : otherGuildId,
          commandPath: s.commandPath,
          userId: s.userId,
          memberRoles: s.roles.map((id, i) => ({ id, position: i + 1 })),
          memberPermissions: s.memberPermissions,
          appPermissions: s.appPermissions,
          channelId: channel(s.channel)
        })
        const [first, retry] = yield* withGuardrail(source(options), quotas, Effect.all([check(ctx), check(ctx)]))
        expect(retry).toEqual(first)
        if (first._tag === "Deny" && first.stage !== "quota") expect(quotas.calls).toHaveLength(0)
        if (first._tag === "Deny") expect(quotas.granted.size).toBe(0)
        if (first._tag === "Allow") expect([...quotas.granted]).toEqual([ctx.interactionId])
      }),
    { fastCheck: { numRuns: 300 } }
  )
})
