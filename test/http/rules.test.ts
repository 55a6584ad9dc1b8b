import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { PlanKey, RoleId } from "../../core/index.js"
import { rawJson, tenantWithGuild, TestServer } from "./harness.js"

const basic = PlanKey.make("basic")
const modRole = RoleId.make("300000000000000001")

const allowReset = { target: "command:xp reset", subject: "role", subjectId: modRole, effect: "allow" } as const
const denyXp = { target: "feature:xp", subject: "role", subjectId: modRole, effect: "deny" } as const

describe("rules", () => {
  it.effect("PUT replaces the tenant scope, GET lists it, DELETE removes one or all", () =>
    Effect.gen(function*() {
      const { client, guildId } = yield* tenantWithGuild("Acme", basic)
      const path = { guildId }
      assert.deepStrictEqual(yield* client.assetsRules.list({ path }), [])

      const stored = yield* client.assetsRules.replace({ path, payload: { rules: [allowReset, denyXp] } })
      // Stored in the repository's order (by id), not the request's.
      assert.deepStrictEqual(
        stored
          .map(({ effect, scope, subject, subjectId, target }) => ({ target, subject, subjectId, effect, scope }))
          .sort((a, b) => a.target.localeCompare(b.target)),
        [{ ...allowReset, scope: "tenant" }, { ...denyXp, scope: "tenant" }]
      )
      assert.deepStrictEqual(yield* client.assetsRules.list({ path }), stored)

      const removed = yield* client.assetsRules.remove({ path: { guildId, ruleId: stored[0]!.id } })
      assert.deepStrictEqual(removed, stored[0])
      assert.deepStrictEqual(yield* client.assetsRules.list({ path }), [stored[1]!])

      // Replacing again drops what was there.
      const replaced = yield* client.assetsRules.replace({ path, payload: { rules: [allowReset] } })
      assert.deepStrictEqual(yield* client.assetsRules.list({ path }), replaced)
      assert.strictEqual(replaced.length, 1)

      assert.deepStrictEqual(yield* client.assetsRules.clear({ path, urlParams: {} }), [])
      assert.deepStrictEqual(yield* client.assetsRules.list({ path }), [])
    }).pipe(Effect.provide(TestServer)))

  it.effect("an unknown target answers 400 naming it, and stores nothing", () =>
    Effect.gen(function*() {
      const { client, guildId, key } = yield* tenantWithGuild("Acme", basic)
      const response = yield* rawJson("PUT", `/assets/${guildId}/rules`, key, {
        rules: [allowReset, { ...denyXp, target: "command:xp explode" }]
      })
      assert.strictEqual(response.status, 400)
      assert.strictEqual(response.body._tag, "InvalidInput")
      assert.include(response.body.message, "'command:xp explode': no command or subcommand '/xp explode'")
      assert.deepStrictEqual(yield* client.assetsRules.list({ path: { guildId } }), [])
    }).pipe(Effect.provide(TestServer)))

  it.effect("platform rules: the operator's alone; a tenant key gets 403 writing them and 404 removing one", () =>
    Effect.gen(function*() {
      const { client, guildId, key, operator, operatorKey } = yield* tenantWithGuild("Acme", basic)
      const path = { guildId }

      const forbidden = yield* rawJson("PUT", `/assets/${guildId}/rules`, key, { rules: [denyXp], scope: "platform" })
      assert.strictEqual(forbidden.status, 403)
      assert.strictEqual(forbidden.body._tag, "OperatorOnly")
      const forbiddenClear = yield* rawJson("DELETE", `/assets/${guildId}/rules?scope=platform`, key)
      assert.strictEqual(forbiddenClear.status, 403)

      const [platformRule] = yield* operator.assetsRules.replace({
        path,
        payload: { rules: [denyXp], scope: "platform" }
      })
      assert.strictEqual(platformRule!.scope, "platform")
      yield* client.assetsRules.replace({ path, payload: { rules: [allowReset] } })
      assert.strictEqual((yield* client.assetsRules.list({ path })).length, 2) // the tenant sees what applies to it

      const notYours = yield* rawJson("DELETE", `/assets/${guildId}/rules/${platformRule!.id}`, key)
      assert.strictEqual(notYours.status, 404)
      assert.strictEqual(notYours.body._tag, "RuleNotFound")

      // A tenant key's clear leaves the platform rule; the operator's default scope is tenant too.
      assert.deepStrictEqual(yield* client.assetsRules.clear({ path, urlParams: {} }), [platformRule!])
      const operatorClear = yield* rawJson("DELETE", `/assets/${guildId}/rules?scope=platform`, operatorKey)
      assert.strictEqual(operatorClear.status, 200)
      assert.deepStrictEqual(operatorClear.body, [])
    }).pipe(Effect.provide(TestServer)))

  it.effect("the operator removes a platform rule by id", () =>
    Effect.gen(function*() {
      const { client, guildId, operator } = yield* tenantWithGuild("Acme", basic)
      const [rule] = yield* operator.assetsRules.replace({
        path: { guildId },
        payload: { rules: [denyXp], scope: "platform" }
      })
      const removed = yield* operator.assetsRules.remove({ path: { guildId, ruleId: rule!.id } })
      assert.strictEqual(removed.id, rule!.id)
      assert.deepStrictEqual(yield* client.assetsRules.list({ path: { guildId } }), [])
    }).pipe(Effect.provide(TestServer)))
})
