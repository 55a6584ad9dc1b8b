import { Context, DateTime, Duration, Effect, Layer, Option, Ref } from "effect"

/**
 * up: its last round succeeded. degraded: its last round(s) failed and it is
 * retrying, still within its bound. down: it stopped, or has not succeeded
 * within its bound (readiness answers 503).
 */
export type ComponentStatus = "up" | "degraded" | "down"

/** One background component as readiness reports it. */
export interface ComponentHealth {
  readonly name: string
  readonly status: ComponentStatus
  /** What a person reading the probe needs: the last error, how long since the last success, the bound. */
  readonly detail: string
  readonly lastSuccessAt: Option.Option<DateTime.Utc>
}

export interface ComponentOptions {
  /**
   * No success for this long means the component is stuck: reported down.
   * Absent: it is never down for silence (a listener that only hears events),
   * only when it stops.
   */
  readonly staleAfter?: Duration.DurationInput | undefined
}

/** What a running component tells the registry. */
export interface ComponentHandle {
  /** A round succeeded; `detail` replaces the default "last round succeeded" text. */
  readonly succeeded: (detail?: string) => Effect.Effect<void>
  /** A round failed and will be retried. */
  readonly failed: (message: string) => Effect.Effect<void>
  /** The component ended for good while the process goes on: reported down from now on. */
  readonly stopped: (why: string) => Effect.Effect<void>
  /** The component was stopped on purpose (its scope closed): it is no longer reported. */
  readonly remove: Effect.Effect<void>
}

export interface BackgroundComponentsService {
  /** Adds a component (or starts a component of that name afresh); it is measured from now. */
  readonly register: (name: string, options: ComponentOptions) => Effect.Effect<ComponentHandle>
  /** Every registered component, by name. */
  readonly report: Effect.Effect<ReadonlyArray<ComponentHealth>>
}

/** The process's background components (job worker, listeners, pollers) and how each last went (ADR 095). */
export class BackgroundComponents extends Context.Tag("core/BackgroundComponents")<
  BackgroundComponents,
  BackgroundComponentsService
>() {
  /** An in-process registry, timed by the Clock it is built with. */
  static layer: Layer.Layer<BackgroundComponents> = Layer.effect(
    BackgroundComponents,
    Effect.gen(function*() {
      const clock = yield* Effect.clock
      const now = Effect.map(clock.currentTimeMillis, (millis) => DateTime.unsafeMake(millis))
      const components = yield* Ref.make(new Map<string, ComponentState>())
      const update = (name: string, generation: number, change: (state: ComponentState) => ComponentState) =>
        Ref.update(components, (all) => {
          const state = all.get(name)
          // A component registered again under the same name replaces the old one: the old handle goes quiet.
          if (state === undefined || state.generation !== generation) return all
          return new Map(all).set(name, change(state))
        })
      let generations = 0

      return BackgroundComponents.of({
        register: (name, options) =>
          Effect.gen(function*() {
            const generation = ++generations
            const registeredAt = yield* now
            yield* Ref.update(components, (all) =>
              new Map(all).set(name, {
                generation,
                staleAfter: Option.map(Option.fromNullable(options.staleAfter), Duration.decode),
                registeredAt,
                lastSuccess: Option.none(),
                failure: Option.none(),
                stopped: Option.none()
              }))
            return {
              succeeded: (detail) =>
                Effect.flatMap(now, (at) =>
                  update(name, generation, (state) => ({
                    ...state,
                    lastSuccess: Option.some({ at, detail: detail ?? "last round succeeded" }),
                    failure: Option.none()
                  }))),
              failed: (message) =>
                Effect.flatMap(now, (at) =>
                  update(name, generation, (state) => ({
                    ...state,
                    failure: Option.some({
                      at,
                      message,
                      inARow: Option.match(state.failure, { onNone: () => 1, onSome: (last) => last.inARow + 1 })
                    })
                  }))),
              stopped: (why) => update(name, generation, (state) => ({ ...state, stopped: Option.some(why) })),
              remove: Ref.update(components, (all) => {
                if (all.get(name)?.generation !== generation) return all
                const rest = new Map(all)
                rest.delete(name)
                return rest
              })
            }
          }),
        report: Effect.flatMap(now, (at) =>
          Effect.map(Ref.get(components), (all) =>
            Array.from(all.entries())
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([name, state]) => componentHealth(name, state, at))))
      })
    })
  )
}

interface ComponentState {
  readonly generation: number
  readonly staleAfter: Option.Option<Duration.Duration>
  readonly registeredAt: DateTime.Utc
  readonly lastSuccess: Option.Option<{ readonly at: DateTime.Utc; readonly detail: string }>
  /** The failures since the last success. */
  readonly failure: Option.Option<{ readonly at: DateTime.Utc; readonly message: string; readonly inARow: number }>
  readonly stopped: Option.Option<string>
}

const ago = (from: DateTime.Utc, to: DateTime.Utc) =>
  Duration.format(Duration.millis(Math.max(0, DateTime.distance(from, to))))

/** The rule behind ComponentStatus, at `now`. */
const componentHealth = (name: string, state: ComponentState, now: DateTime.Utc): ComponentHealth => {
  const lastSuccessAt = Option.map(state.lastSuccess, (success) => success.at)
  const lastError = Option.match(state.failure, {
    onNone: () => "",
    onSome: (failure) => `; last error (${failure.inARow} in a row): ${failure.message}`
  })
  if (Option.isSome(state.stopped)) {
    return { name, status: "down", detail: `stopped: ${state.stopped.value}${lastError}`, lastSuccessAt }
  }
  const since = Option.getOrElse(lastSuccessAt, () => state.registeredAt)
  if (Option.isSome(state.staleAfter) && DateTime.distance(since, now) > Duration.toMillis(state.staleAfter.value)) {
    const silence = Option.isSome(lastSuccessAt)
      ? `no successful round for ${ago(since, now)}`
      : "no successful round yet"
    const detail = `${silence} (bound ${Duration.format(state.staleAfter.value)})${lastError}`
    return { name, status: "down", detail, lastSuccessAt }
  }
  if (Option.isSome(state.failure)) {
    return { name, status: "degraded", detail: `retrying${lastError.replace(/^; /, ": ")}`, lastSuccessAt }
  }
  return {
    name,
    status: "up",
    detail: Option.match(state.lastSuccess, {
      onNone: () => "running; no round finished yet",
      onSome: (success) => success.detail
    }),
    lastSuccessAt
  }
}
