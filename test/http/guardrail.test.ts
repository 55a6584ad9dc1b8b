import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { PlanKey } from "../../core/index.js"
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
      const explain = rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, command(["xp", "rank"]))

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

      yield* client.features.enable({ path: { guildId, key: "xp" }, payload: {} })
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

      yield* client.features.enable({ path: { guildId, key: "xp" }, payload: {} })
      const [rule] = yield* client.rules.replace({
        path: { guildId },
        payload: { rules: [{ target: "feature:xp", subject: "user", subjectId: memberId, effect: "deny" }] }
      })
      const ruled = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, command(["xp", "rank"]))
      assert.strictEqual(ruled.body.decision.code, "RULE_DENIED")
      assert.strictEqual(ruled.body.stoppedAt, "rules")
      assert.strictEqual(ruled.body.rule.id, rule!.id)

      // The owner passes rule editing and setup through the lockout guard, whatever the rules say.
      const owner = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, {
        ...command(["setup"]),
        userId: ownerId
      })
      assert.strictEqual(owner.body.decision._tag, "Allow")
    }).pipe(Effect.provide(TestServer)))

  it.effect("permission bits must be decimal strings (400)", () =>
    Effect.gen(function*() {
      const { guildId, key } = yield* tenantWithGuild("Acme", basic)
      for (const bits of ["0x8", "-1", 8]) {
        const response = yield* rawJson("POST", `/assets/${guildId}/guardrail/explain`, key, {
          ...command(["xp", "rank"]),
          memberPermissions: bits
        })
        assert.strictEqual(response.status, 400, `memberPermissions ${JSON.stringify(bits)}`)
        assert.strictEqual(response.body._tag, "HttpApiDecodeError")
      }
    }).pipe(Effect.provide(TestServer)))
})
