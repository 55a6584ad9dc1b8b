import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { ReadinessMemory, RepositoriesMemory } from "../../adapters/memory/index.js"
import { PolicyStoreSql, RepositoriesSql } from "../../adapters/postgres/index.js"
import { PlanKey } from "../../core/index.js"
import { sqlDatabases } from "../support/stores.js"
import { guildId, makeTestServer, rawJson, tenantWithGuild } from "./harness.js"

const basic = PlanKey.make("basic")
const general = "123456789012345678"
const announcements = "223456789012345678"

const stores = [
  { name: "memory", repositories: () => RepositoriesMemory },
  ...(await sqlDatabases()).map((database) => ({
    name: database.name,
    repositories: () =>
      Layer.mergeAll(RepositoriesSql, PolicyStoreSql).pipe(Layer.provide(database.layer()), Layer.orDie)
  }))
]

const welcomeConfig = (guild: string, key: string) =>
  Effect.map(
    rawJson("GET", `/assets/${guild}/features`, key),
    ({ body }) => body.find((feature: { key: string }) => feature.key === "welcome").config
  )

for (const store of stores) {
  layer(makeTestServer(ReadinessMemory, { repositories: store.repositories() }), { timeout: 120_000 })(
    `feature config updates over ${store.name}`,
    (it) => {
      it.effect("an update merges into the stored config: a field it does not give keeps its value", () =>
        Effect.gen(function*() {
          const { guildId: guild, key } = yield* tenantWithGuild("Merge", basic, guildId(201))
          const path = `/assets/${guild}/features/welcome/enable`
          const first = yield* rawJson("POST", path, key, { config: { channelId: general, template: "Hi {user}" } })
          assert.strictEqual(first.status, 200)

          const second = yield* rawJson("POST", path, key, { config: { template: "Hello {user}" } })
          assert.strictEqual(second.status, 200)
          assert.deepStrictEqual(second.body.config, { channelId: general, template: "Hello {user}" })
          assert.deepStrictEqual(yield* welcomeConfig(guild, key), { channelId: general, template: "Hello {user}" })

          // Null is a value the caller gives: it clears the field.
          const cleared = yield* rawJson("POST", path, key, { config: { channelId: null } })
          assert.deepStrictEqual(cleared.body.config, { channelId: null, template: "Hello {user}" })
        }))

      it.effect("a misspelt field answers 400 naming it and the accepted ones, and the stored config is kept", () =>
        Effect.gen(function*() {
          const { guildId: guild, key } = yield* tenantWithGuild("Typo", basic, guildId(202))
          const path = `/assets/${guild}/features/welcome/enable`
          yield* rawJson("POST", path, key, { config: { channelId: general } })

          const typo = yield* rawJson("POST", path, key, { config: { chanelId: announcements } })
          assert.strictEqual(typo.status, 400)
          assert.strictEqual(typo.body._tag, "InvalidFeatureConfig")
          assert.strictEqual(
            typo.body.message,
            "Invalid config for 'welcome': chanelId: is not a known field; the accepted fields are channelId, template"
          )
          assert.deepStrictEqual(yield* welcomeConfig(guild, key), {
            channelId: general,
            template: "Welcome {user} to {guild}!"
          })
        }))
    }
  )
}
