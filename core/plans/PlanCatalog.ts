import { Context, Effect, Layer, Schema } from "effect"
import { Plan, PlanKey } from "./Plan.js"

export class UnknownPlan extends Schema.TaggedError<UnknownPlan>()("UnknownPlan", {
  planKey: Schema.String,
  message: Schema.String
}) {
  static of(planKey: string, known: ReadonlyArray<string>) {
    return new UnknownPlan({
      planKey,
      message: `Unknown plan '${planKey}'. Known plans: ${known.join(", ")}`
    })
  }
}

const plan = (key: string, name: string, maxGuilds: number, features: ReadonlyArray<string>) =>
  Plan.make({ key: PlanKey.make(key), name, features, limits: { maxGuilds } })

/** The plans every installation has. Operators add or override plans through configuration. */
export const builtinPlans: ReadonlyArray<Plan> = [
  plan("free", "Free", 1, ["welcome"]),
  plan("basic", "Basic", 3, ["welcome", "xp", "announcements"]),
  plan("premium", "Premium", 10, ["welcome", "xp", "announcements", "paid-roles"]),
  plan("enterprise", "Enterprise", -1, ["welcome", "xp", "announcements", "paid-roles", "white-label"])
]

export const defaultPlanKey = PlanKey.make("free")

export interface PlanCatalogService {
  readonly all: ReadonlyArray<Plan>
  readonly get: (key: string) => Effect.Effect<Plan, UnknownPlan>
}

export class PlanCatalog extends Context.Tag("core/PlanCatalog")<PlanCatalog, PlanCatalogService>() {
  /** A catalog of the built-in plans, with `extra` plans added or replacing built-ins by key. */
  static make(extra: ReadonlyArray<Plan> = []): PlanCatalogService {
    // A Map keeps the catalog's order (built-ins first) while a later plan replaces one with its key.
    const byKey = new Map<string, Plan>([...builtinPlans, ...extra].map((p) => [p.key, p]))
    const all = Array.from(byKey.values())
    return {
      all,
      get: (key) => {
        const plan = byKey.get(key)
        return plan ? Effect.succeed(plan) : Effect.fail(UnknownPlan.of(key, all.map((p) => p.key)))
      }
    }
  }

  static readonly builtin = Layer.succeed(PlanCatalog, PlanCatalog.make())
  static readonly layer = (extra: ReadonlyArray<Plan>) => Layer.succeed(PlanCatalog, PlanCatalog.make(extra))
}
