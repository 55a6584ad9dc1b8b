import { layer } from "@effect/vitest"
import { Effect } from "effect"
import { Readiness } from "../../core/index.js"
import type { Store } from "../support/stores.js"

export const readinessContract = (store: Store<Readiness>) =>
  layer(store.layer(), { timeout: 60_000 })(`Readiness on ${store.name}`, (it) => {
    it.effect("a working store is ready", () => Effect.flatMap(Readiness, (readiness) => readiness.check))
  })
