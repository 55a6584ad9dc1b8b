import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { ChannelId, PlanKey, UserId } from "../../core/index.js"
import { ownerId, rawJson, tenantWithGuild, TestServer } from "./harness.js"

const basic = PlanKey.make("basic")
const memberId = "400000000000000001"

const command = (commandPath: ReadonlyArray<string>) => ({
  userId: memberId,
  memberRoles: [{ id: "300000000000000009", position: 1 }],
  memberPermissions: "0",
  channelId: "500000000000000001",
  appPermissions: "8", // Administrator
  commandPath
})

describe("guardrail explain", () => {
  it.effect("a disabled feature is denied at the toggle stage; after enabling, allowed", () =>
    Effect.gen(function*() {
      const { client, guildId, key } = yield* tenantWithGuild("Acme", basic)
      const explain = rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, command(["rank"]))

      const denied = yield* explain
      assert.strictEqual(denied.status, 200)
      assert.strictEqual(denied.body.decision._tag, "Deny")
      assert.strictEqual(denied.body.decision.code, "FEATURE_DISABLED")
      assert.strictEqual(denied.body.stoppedAt, "toggle")
      assert.deepStrictEqual(
        denied.body.stages.map((stage: { stage: string; verdict: string }) => [stage.stage, stage.verdict]),
        [["platform", "pass"], ["entitlement", "pass"], ["toggle", "deny"], ["rules", "skip"], ["level", "skip"], [
          "quota",
          "skip"
        ]]
      )

      yield* client.assetsFeatures.enable({ path: { guildId, key: "xp" }, payload: {} })
      const allowed = yield* explain
      assert.deepStrictEqual(allowed.body.decision, { _tag: "Allow", ruleAllowed: false })
      assert.isNull(allowed.body.stoppedAt)
      assert.isNull(allowed.body.rule)
      assert.deepStrictEqual(
        allowed.body.stages.map((stage: { verdict: string }) => stage.verdict),
        ["pass", "pass", "pass", "pass", "pass", "skip"]
      )
    }).pipe(Effect.provide(TestServer)))

  it.effect("a feature outside the plan is denied at the entitlement stage; a deny rule at the rules stage", () =>
    Effect.gen(function*() {
      const { client, guildId, key } = yield* tenantWithGuild("Acme", basic)
      const notInPlan = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, command(["purchase"]))
      assert.strictEqual(notInPlan.body.decision.code, "NOT_IN_PLAN")
      assert.strictEqual(notInPlan.body.stoppedAt, "entitlement")
      assert.include(notInPlan.body.decision.remediation, "/upgrade")

      yield* client.assetsFeatures.enable({ path: { guildId, key: "xp" }, payload: {} })
      const [rule] = yield* client.assetsRules.replace({
        path: { guildId },
        payload: { rules: [{ target: "feature:xp", subject: "user", subjectId: memberId, effect: "deny" }] }
      })
      const ruled = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, command(["rank"]))
      assert.strictEqual(ruled.body.decision.code, "RULE_DENIED")
      assert.strictEqual(ruled.body.stoppedAt, "rules")
      assert.strictEqual(ruled.body.rule.id, rule!.id)

      // The owner passes rule editing and setup through the lockout guard, whatever the rules say.
      const owner = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, {
        ...command(["setup", "start"]),
        userId: ownerId
      })
      assert.strictEqual(owner.body.decision._tag, "Allow")
    }).pipe(Effect.provide(TestServer)))

  it.effect("permission bits must be decimal strings (400)", () =>
    Effect.gen(function*() {
      const { guildId, key } = yield* tenantWithGuild("Acme", basic)
      for (const bits of ["0x8", "-1", 8]) {
        const response = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, {
          ...command(["rank"]),
          memberPermissions: bits
        })
        assert.strictEqual(response.status, 400, `memberPermissions ${JSON.stringify(bits)}`)
        assert.strictEqual(response.body._tag, "HttpApiDecodeError")
      }
    }).pipe(Effect.provide(TestServer)))

  it.effect("a guild the tenant removed has nothing to explain (404), even once another tenant installs it", () =>
    Effect.gen(function*() {
      const { client, guildId, key, operator } = yield* tenantWithGuild("Acme", basic)
      yield* client.assets.remove({ path: { guildId } })
      const removed = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, command(["rank"]))
      assert.strictEqual(removed.status, 404)
      assert.strictEqual(removed.body._tag, "GuildNotFound")

      const globex = yield* operator.tenants.create({ payload: { name: "Globex", planKey: basic } })
      yield* operator.assets.install({ path: { guildId }, payload: { tenantId: globex.id, name: "Globex", ownerId } })
      const after = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, command(["rank"]))
      assert.strictEqual(after.status, 404)
      // The operator explains it for its holder now.
      const operatorView = yield* operator.guardrail.explain({
        path: { guildId },
        payload: {
          userId: UserId.make(memberId),
          memberRoles: [],
          memberPermissions: 0n,
          channelId: ChannelId.make("500000000000000001"),
          parentChannelId: null,
          categoryId: null,
          appPermissions: 8n,
          commandPath: ["rank"]
        }
      })
      assert.strictEqual(operatorView.decision._tag, "Deny")
    }).pipe(Effect.provide(TestServer)))

  it.effect("a member below admin who holds Manage Guild: the level stage says so, not that their level meets admin", () =>
    Effect.gen(function*() {
      const { client, guildId, key } = yield* tenantWithGuild("Acme", basic)
      yield* client.assetsFeatures.enable({ path: { guildId, key: "xp" }, payload: {} })
      const explained = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, {
        ...command(["xp", "reset"]),
        memberPermissions: "32" // Manage Guild
      })
      assert.strictEqual(explained.body.decision._tag, "Allow")
      const level = explained.body.stages.find((stage: { stage: string }) => stage.stage === "level")
      assert.strictEqual(level.verdict, "pass")
      assert.strictEqual(
        level.detail,
        "The member is a member, below admin, but holds Manage Guild, which the command accepts instead"
      )
    }).pipe(Effect.provide(TestServer)))

  it.effect("stopped at the toggle stage: no rule is named and later stages are skipped for the toggle", () =>
    Effect.gen(function*() {
      const { client, guildId, key } = yield* tenantWithGuild("Acme", basic)
      yield* client.assetsRules.replace({
        path: { guildId },
        payload: { rules: [{ target: "*", subject: "guild", subjectId: guildId, effect: "deny" }] }
      })
      const explained = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, command(["rank"]))
      assert.strictEqual(explained.body.stoppedAt, "toggle")
      assert.isNull(explained.body.rule)
      const detail = (name: string) =>
        explained.body.stages.find((stage: { stage: string }) => stage.stage === name).detail as string
      assert.match(detail("rules"), /^Skipped \(stopped at toggle\); on its own: RULE_DENIED/)
      assert.match(detail("level"), /^Skipped \(stopped at toggle\); on its own: /)
    }).pipe(Effect.provide(TestServer)))

  it.effect("a command that needs a subcommand says so and lists them, instead of 'there is no /setup command'", () =>
    Effect.gen(function*() {
      const { guildId, key } = yield* tenantWithGuild("Acme", basic)
      const explained = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, command(["setup"]))
      assert.strictEqual(explained.body.decision.code, "SUBCOMMAND_REQUIRED")
      assert.match(explained.body.decision.message, /^\/setup needs a subcommand: start, features, /)
      assert.strictEqual(explained.body.decision.remediation, "Run one of them, e.g. /setup start")
      const unknown = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, command(["nope"]))
      assert.strictEqual(unknown.body.decision.code, "UNKNOWN_COMMAND")
      assert.strictEqual(unknown.body.decision.message, "There is no /nope command")
    }).pipe(Effect.provide(TestServer)))

  it.effect("a level denial asks for an admin role (not 'a admin role')", () =>
    Effect.gen(function*() {
      const { client, guildId, key } = yield* tenantWithGuild("Acme", basic)
      yield* client.assetsFeatures.enable({ path: { guildId, key: "xp" }, payload: {} })
      const explained = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, command(["xp", "reset"]))
      assert.strictEqual(explained.body.decision.code, "LEVEL_TOO_LOW")
      assert.include(explained.body.decision.remediation, "an admin to give you an admin role")
      assert.notInclude(explained.body.decision.remediation, "a admin")
    }).pipe(Effect.provide(TestServer)))

  it.effect("an operator's platform allow on feature:xp does not outrank the tenant's deny on /rank for a user", () =>
    Effect.gen(function*() {
      const { client, guildId, key, operator } = yield* tenantWithGuild("Acme", basic)
      yield* client.assetsFeatures.enable({ path: { guildId, key: "xp" }, payload: {} })
      const [platformAllow] = yield* operator.assetsRules.replace({
        path: { guildId },
        payload: {
          rules: [{ target: "feature:xp", subject: "guild", subjectId: guildId, effect: "allow" }],
          scope: "platform"
        }
      })
      const [tenantDeny] = yield* client.assetsRules.replace({
        path: { guildId },
        payload: { rules: [{ target: "command:rank", subject: "user", subjectId: memberId, effect: "deny" }] }
      })
      const explained = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, command(["rank"]))
      assert.strictEqual(explained.body.decision.code, "RULE_DENIED")
      assert.strictEqual(explained.body.rule.id, tenantDeny!.id)
      const rules = explained.body.stages.find((stage: { stage: string }) => stage.stage === "rules")
      assert.include(rules.detail, `the operator's platform rule ${platformAllow!.id}`)
      // Another member: no tenant rule matches, and the platform allow does not skip the level requirement.
      const other = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, {
        ...command(["xp", "reset"]),
        userId: "400000000000000002"
      })
      assert.strictEqual(other.body.decision.code, "LEVEL_TOO_LOW")
      assert.isNull(other.body.rule)
    }).pipe(Effect.provide(TestServer)))
})
