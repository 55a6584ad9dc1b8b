import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { PlanKey } from "../../core/index.js"
import { guildId, ownerId, rawJson, tenantWithGuild, TestServer } from "./harness.js"

const basic = PlanKey.make("basic")

/** Every request a guild's routes answer, as [method, path under the guild, body]. */
const reads: ReadonlyArray<readonly ["GET", string]> = [
  ["GET", ""],
  ["GET", "/features"],
  ["GET", "/rules"],
  ["GET", "/paid-roles"],
  ["GET", "/subscriptions"]
]

describe("/guilds is the word for a guild; /assets stays as a deprecated alias", () => {
  it.effect("every read answers the same at /guilds/:guildId and /assets/:guildId", () =>
    Effect.gen(function*() {
      const { guildId: guild, key } = yield* tenantWithGuild("Acme", basic, guildId(41))
      for (const [method, rest] of reads) {
        const current = yield* rawJson(method, `/guilds/${guild}${rest}`, key)
        const alias = yield* rawJson(method, `/assets/${guild}${rest}`, key)
        assert.strictEqual(current.status, 200, `${method} /guilds/:guildId${rest}`)
        assert.deepStrictEqual(alias, current, `${method} /assets/:guildId${rest}`)
      }
      const tenantId = (yield* rawJson("GET", `/guilds/${guild}`, key)).body.tenantId
      const listed = yield* rawJson("GET", `/tenants/${tenantId}/guilds`, key)
      assert.strictEqual(listed.status, 200)
      assert.deepStrictEqual(yield* rawJson("GET", `/tenants/${tenantId}/assets`, key), listed)
    }).pipe(Effect.provide(TestServer)))

  it.effect("a write through /guilds is seen through /assets, and the other way round", () =>
    Effect.gen(function*() {
      const { guildId: guild, key } = yield* tenantWithGuild("Acme", basic, guildId(42))
      const enabled = yield* rawJson("POST", `/guilds/${guild}/features/xp/enable`, key, {})
      assert.strictEqual(enabled.status, 200)
      assert.isTrue(enabled.body.enabled)
      const viaAlias = (yield* rawJson("GET", `/assets/${guild}/features`, key)).body
      assert.isTrue(viaAlias.find((feature: { key: string }) => feature.key === "xp").enabled)

      const installed = yield* rawJson("PUT", `/assets/${guildId(43)}`, key, { name: "Second", ownerId })
      assert.strictEqual(installed.status, 201)
      assert.strictEqual((yield* rawJson("GET", `/guilds/${guildId(43)}`, key)).body.name, "Second")
    }).pipe(Effect.provide(TestServer)))

  it.effect("another tenant's guild answers 404 on both paths alike", () =>
    Effect.gen(function*() {
      yield* tenantWithGuild("Acme", basic, guildId(44))
      const globex = yield* tenantWithGuild("Globex", basic, guildId(45))
      const current = yield* rawJson("GET", `/guilds/${guildId(44)}/rules`, globex.key)
      assert.strictEqual(current.status, 404)
      assert.strictEqual(current.body._tag, "GuildNotFound")
      assert.deepStrictEqual(yield* rawJson("GET", `/assets/${guildId(44)}/rules`, globex.key), current)
    }).pipe(Effect.provide(TestServer)))

  it("the OpenAPI document lists both: each /assets operation deprecated, naming its /guilds path", () => {
    const document = JSON.parse(readFileSync(new URL("../../docs/API/openapi.json", import.meta.url), "utf8"))
    const paths: Record<string, Record<string, { deprecated?: boolean; description?: string }>> = document.paths
    const aliases = Object.keys(paths).filter((path) => path.includes("/assets"))
    assert.isAbove(aliases.length, 10)
    for (const alias of aliases) {
      const current = alias.replace("/assets", "/guilds")
      assert.property(paths, current)
      for (const [method, operation] of Object.entries(paths[alias]!)) {
        assert.strictEqual(operation.deprecated, true, `${method} ${alias}`)
        assert.include(operation.description, `${method.toUpperCase()} ${current}`)
        assert.property(paths[current], method)
        assert.notStrictEqual(paths[current]![method]!.deprecated, true, `${method} ${current}`)
      }
    }
  })
})
