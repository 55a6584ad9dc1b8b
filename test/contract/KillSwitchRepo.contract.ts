import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { allGuilds, KillSwitchRepo } from "../../core/index.js"
import type { PolicyPorts } from "../support/policy.js"
import type { Store } from "../support/stores.js"

export const killSwitchRepoContract = (store: Store<PolicyPorts>) =>
  layer(store.layer(), { timeout: 60_000 })(`KillSwitchRepo on ${store.name}`, (it) => {
    it.effect("turns switches on and off, idempotently, and lists those that are on", () =>
      Effect.gen(function*() {
        const killSwitches = yield* KillSwitchRepo
        assert.deepStrictEqual(yield* killSwitches.list, [])
        yield* killSwitches.set("xp", true)
        yield* killSwitches.set(allGuilds, true)
        yield* killSwitches.set("xp", true)
        assert.deepStrictEqual(yield* killSwitches.list, ["*", "xp"])
        yield* killSwitches.set(allGuilds, false)
        yield* killSwitches.set("welcome", false)
        assert.deepStrictEqual(yield* killSwitches.list, ["xp"])
      }))
  })
