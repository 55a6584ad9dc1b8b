import { Context, Effect, Layer, Option, Schema } from "effect"
import { formatIssues } from "../formatIssues.js"
import { AddOn, AddOnKey } from "./AddOn.js"
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

export class UnknownAddOn extends Schema.TaggedError<UnknownAddOn>()("UnknownAddOn", {
  addOnKey: Schema.String,
  message: Schema.String
}) {
  static of(addOnKey: string, known: ReadonlyArray<string>) {
    return new UnknownAddOn({
      addOnKey,
      message: `Unknown add-on '${addOnKey}'. Known add-ons: ${known.join(", ") || "(none)"}`
    })
  }
}

/** GUILDHALL_PLANS does not describe a valid catalog; the message names the offending field. */
export class InvalidPlanCatalog extends Schema.TaggedError<InvalidPlanCatalog>()("InvalidPlanCatalog", {
  message: Schema.String
}) {}

const plan = (key: string, name: string, limits: PlanLimits, features: ReadonlyArray<string>) =>
  Plan.make({ key: PlanKey.make(key), name, features, limits })

/**
 * The plans every installation has, cheapest first: the catalog's order is
 * what `firstPlanWith` (the "needs the Premium plan" hint) relies on.
 * Operators add or replace plans through configuration.
 */
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
    ["welcome", "xp", "xp-roles", "announcements", "paid-roles"]
  ),
  plan(
    "enterprise",
    "Enterprise",
    { maxGuilds: -1, commandsPerMinute: -1, aiTokensPerDay: -1, maxPaidRoles: -1 },
    ["welcome", "xp", "xp-roles", "announcements", "paid-roles", "white-label"]
  )
]

/**
 * Add-ons every installation can sell; operators add or replace them through
 * configuration. A plan or add-on sells only flags this build delivers (a
 * registered feature's, or xp-roles and white-label); a tenant still holding
 * an add-on no longer in the catalog keeps booting: `resolveEntitlements`
 * skips it.
 */
export const builtinAddOns: ReadonlyArray<AddOn> = [
  AddOn.make({ key: AddOnKey.make("extra-guild"), name: "Extra guild", features: [], limits: { maxGuilds: 1 } }),
  AddOn.make({
    key: AddOnKey.make("ai-tokens"),
    name: "AI tokens (+50,000 a day)",
    features: [],
    limits: { aiTokensPerDay: 50_000 }
  })
]

export const defaultPlanKey = PlanKey.make("free")

/** What an operator adds to (or replaces in) the built-in catalog. */
export interface CatalogDefinitions {
  readonly plans?: ReadonlyArray<Plan>
  readonly addOns?: ReadonlyArray<AddOn>
}

/** The JSON shape of GUILDHALL_PLANS. */
export const CatalogConfig = Schema.Struct({
  plans: Schema.optionalWith(Schema.Array(Plan), { default: () => [], exact: true }),
  addOns: Schema.optionalWith(Schema.Array(AddOn), { default: () => [], exact: true })
})

export interface PlanCatalogService {
  /** Every plan, cheapest first (built-ins in their order, then operator plans in configuration order). */
  readonly all: ReadonlyArray<Plan>
  readonly get: (key: string) => Effect.Effect<Plan, UnknownPlan>
  readonly addOns: ReadonlyArray<AddOn>
  readonly getAddOn: (key: string) => Effect.Effect<AddOn, UnknownAddOn>
  /** By key, as `resolveEntitlements` takes them. */
  readonly plansByKey: ReadonlyMap<string, Plan>
  readonly addOnsByKey: ReadonlyMap<string, AddOn>
  /** The first (cheapest) plan that switches `flag` on: what an upgrade hint names. */
  readonly firstPlanWith: (flag: string) => Option.Option<Plan>
}

// A Map keeps the catalog's order (built-ins first) while a later definition replaces one with its key.
const byKey = <A extends { readonly key: string }>(items: ReadonlyArray<A>): ReadonlyMap<string, A> =>
  new Map(items.map((item) => [item.key, item]))

const duplicateKeys = (kind: string, items: ReadonlyArray<{ readonly key: string }>): ReadonlyArray<string> => {
  const seen = new Set<string>()
  const duplicates = new Set<string>()
  for (const { key } of items) (seen.has(key) ? duplicates : seen).add(key)
  return Array.from(duplicates, (key) => `${kind} '${key}' is defined more than once`)
}

/**
 * Decodes GUILDHALL_PLANS (`{ "plans": [...], "addOns": [...] }`). The
 * message of a failure names the path of each bad field (e.g.
 * `plans[0].limits.maxGuilds`).
 */
export const parseCatalogConfig = (json: string): Effect.Effect<CatalogDefinitions, InvalidPlanCatalog> =>
  Schema.decodeUnknown(Schema.parseJson(CatalogConfig))(json).pipe(
    Effect.mapError((error) => new InvalidPlanCatalog({ message: `GUILDHALL_PLANS: ${formatIssues(error)}` })),
    Effect.flatMap((config) => {
      const problems = [...duplicateKeys("plan", config.plans), ...duplicateKeys("add-on", config.addOns)]
      return problems.length === 0
        ? Effect.succeed(config)
        : Effect.fail(new InvalidPlanCatalog({ message: `GUILDHALL_PLANS: ${problems.join("; ")}` }))
    })
  )

export class PlanCatalog extends Context.Tag("core/PlanCatalog")<PlanCatalog, PlanCatalogService>() {
  /** The built-in plans and add-ons, with `definitions` added or replacing built-ins by key. */
  static make(definitions: CatalogDefinitions = {}): PlanCatalogService {
    const plansByKey = byKey([...builtinPlans, ...(definitions.plans ?? [])])
    const addOnsByKey = byKey([...builtinAddOns, ...(definitions.addOns ?? [])])
    const all = Array.from(plansByKey.values())
    const addOns = Array.from(addOnsByKey.values())
    return {
      all,
      get: (key) => {
        const found = plansByKey.get(key)
        return found ? Effect.succeed(found) : Effect.fail(UnknownPlan.of(key, all.map((p) => p.key)))
      },
      addOns,
      getAddOn: (key) => {
        const found = addOnsByKey.get(key)
        return found ? Effect.succeed(found) : Effect.fail(UnknownAddOn.of(key, addOns.map((a) => a.key)))
      },
      plansByKey,
      addOnsByKey,
      firstPlanWith: (flag) => Option.fromNullable(all.find((p) => p.features.includes(flag)))
    }
  }

  static readonly builtin = Layer.succeed(PlanCatalog, PlanCatalog.make())
  static readonly layer = (definitions: CatalogDefinitions) => Layer.succeed(PlanCatalog, PlanCatalog.make(definitions))
}
