import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { FeatureRegistry, Interactions } from "../../core/index.js"
import { CommandRuntime } from "./commandRuntime.js"

layer(CommandRuntime)("the commands the bot registers", (it) => {
  it.effect("every registered command has a handler: none answers 'not available in this version'", () =>
    Effect.gen(function*() {
      const registry = yield* FeatureRegistry
      const interactions = yield* Interactions
      const unanswered = registry.commands
        .filter((command) => interactions.handlerFor(command.path) === undefined)
        .map((command) => `/${command.key}`)
      assert.deepStrictEqual(unanswered, [])
    }))
})
