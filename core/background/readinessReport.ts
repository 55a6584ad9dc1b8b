import { DateTime, Effect, Option } from "effect"
import { type ComponentReport, NotReady, Readiness } from "../ports/Readiness.js"
import { BackgroundComponents, type ComponentHealth, type ComponentStatus } from "./BackgroundComponents.js"

const toReport = (health: ComponentHealth): ComponentReport => ({
  name: health.name,
  status: health.status satisfies ComponentStatus,
  detail: health.detail,
  lastSuccessAt: Option.match(health.lastSuccessAt, { onNone: () => null, onSome: DateTime.formatIso })
})

/**
 * The process's readiness: the database (Readiness) and every background
 * component (BackgroundComponents, when provided). Not ready when any is
 * down; NotReady names the first and carries them all.
 */
export const readinessReport: Effect.Effect<ReadonlyArray<ComponentReport>, NotReady, Readiness> = Effect.gen(
  function*() {
    const readiness = yield* Readiness
    const checkedAt = yield* DateTime.now
    const database = yield* readiness.check.pipe(
      Effect.match({
        onFailure: (notReady): ComponentReport => ({
          name: notReady.component,
          status: "down",
          detail: notReady.message,
          lastSuccessAt: null
        }),
        onSuccess: (): ComponentReport => ({
          name: "database",
          status: "up",
          detail: "answers",
          lastSuccessAt: DateTime.formatIso(checkedAt)
        })
      })
    )
    const registry = yield* Effect.serviceOption(BackgroundComponents)
    const background = Option.isSome(registry) ? (yield* registry.value.report).map(toReport) : []
    const components = [database, ...background]
    const down = components.find((component) => component.status === "down")
    if (down !== undefined) {
      return yield* new NotReady({ component: down.name, message: down.detail, components })
    }
    return components
  }
)
