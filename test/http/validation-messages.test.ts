import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { PlanKey } from "../../core/index.js"
import { guildId, issueOperatorKey, rawJson, tenantWithGuild, TestServer } from "./harness.js"

describe("validation messages are for people", () => {
  it.effect("one issue per field, no Brand<...>, no \"Expected undefined\", alternatives in one sentence", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const response = yield* rawJson("POST", "/tenants", operatorKey, { name: "Acme", mode: "selfhost", planKey: 5 })
      assert.strictEqual(response.status, 400)
      assert.strictEqual(response.body._tag, "HttpApiDecodeError")
      assert.deepStrictEqual(response.body.issues, [
        {
          _tag: "Type",
          path: ["mode"],
          message: "Expected \"hosted\" or \"self_host\" or \"self-host\", actual \"selfhost\""
        },
        { _tag: "Type", path: ["planKey"], message: "Expected string, actual 5" }
      ])
      assert.strictEqual(
        response.body.message,
        "mode: Expected \"hosted\" or \"self_host\" or \"self-host\", actual \"selfhost\"; planKey: Expected string, actual 5"
      )
    }).pipe(Effect.provide(TestServer)))

  it.effect("a bad id says which field, what is expected and an example", () =>
    Effect.gen(function*() {
      const { guildId: guild, key } = yield* tenantWithGuild("Acme", PlanKey.make("basic"), guildId(401))
      const response = yield* rawJson("POST", `/assets/${guild}/guardrail/explain`, key, {
        userId: "200000000000000001",
        memberRoles: [],
        memberPermissions: "0",
        channelId: "general",
        parentChannelId: "12",
        appPermissions: "8",
        commandPath: ["rank"]
      })
      assert.strictEqual(response.status, 400)
      assert.strictEqual(
        response.body.message,
        "channelId: Expected a Discord id: 17–20 digits as a string, e.g. \"123456789012345678\"; got \"general\"; " +
          "parentChannelId: Expected a Discord id: 17–20 digits as a string, e.g. \"123456789012345678\"; got \"12\" " +
          "(also accepted: null)"
      )
      assert.notInclude(JSON.stringify(response.body), "Brand<")
      assert.notInclude(JSON.stringify(response.body), "undefined")
    }).pipe(Effect.provide(TestServer)))

  it.effect("a snowflake sent as a JSON number is refused with \"send it as a string\"", () =>
    Effect.gen(function*() {
      const { key } = yield* tenantWithGuild("Acme", PlanKey.make("basic"), guildId(402))
      // JSON.parse has already rounded it to 123456789012345680 by the time anything reads it.
      const response = yield* rawJson("PUT", `/assets/${guildId(403)}`, key, {
        name: "Second HQ",
        ownerId: 123456789012345678
      })
      assert.strictEqual(response.status, 400)
      assert.deepStrictEqual(response.body.issues, [{
        _tag: "Refinement",
        path: ["ownerId"],
        message: "Expected a Discord id as a string of 17–20 digits, e.g. \"123456789012345678\"; got a JSON number: " +
          "send it as a string (a number this large loses its last digits)"
      }])
    }).pipe(Effect.provide(TestServer)))

  it.effect("a bad path parameter names the parameter", () =>
    Effect.gen(function*() {
      const response = yield* rawJson("GET", "/tenants/acme", yield* issueOperatorKey)
      assert.strictEqual(response.status, 400)
      assert.strictEqual(
        response.body.message,
        "id: Expected a UUID such as 0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b; got \"acme\""
      )
    }).pipe(Effect.provide(TestServer)))
})
