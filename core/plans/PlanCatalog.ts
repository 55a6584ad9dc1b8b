import { Context, Effect, Layer, Schema } from "effect"
import { Plan, PlanKey, type PlanLimits } from "./Plan.js"

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

const plan = (key: string, name: string, limits: PlanLimits, features: ReadonlyArray<string>) =>
  Plan.make({ key: PlanKey.make(key), name, features, limits })

/** The plans every installation has. Operators add or override plans through configuration. */
export const builtinPlans: ReadonlyArray<Plan> = [
  plan("free", "Free", { maxGuilds: 1, commandsPerMinute: 30, aiTokensPerDay: 0, maxPaidRoles: 0 }, ["welcome"]),
  plan(
    "basic",
    "Basic",
    { maxGuilds: 3, commandsPerMinute: 120, aiTokensPerDay: 10_000, maxPaidRoles: 2 },
    ["welcome", "xp", "announcements"]
  ),
  plan(
    "premium",
    "Premium",
    { maxGuilds: 10, commandsPerMinute: 600, aiTokensPerDay: 100_000, maxPaidRoles: 10 },
    ["welcome", "xp", "announcements", "paid-roles", "analytics"]
  ),
  plan(
    "enterprise",
    "Enterprise",
    { maxGuilds: -1, commandsPerMinute: -1, aiTokensPerDay: -1, maxPaidRoles: -1 },
    ["welcome", "xp", "announcements", "paid-roles", "analytics", "white-label"]
  )
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
