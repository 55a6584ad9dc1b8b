import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option } from "effect"
import {
  builtinFeatureRegistry,
  builtinPlans,
  parseCatalogConfig,
  PlanCatalog,
  whiteLabelFlag,
  xpRolesFlag
} from "../../core/index.js"
import { PlanCatalogLive } from "../../programs/Plans.js"

const operatorConfig = JSON.stringify({
  plans: [
    {
      key: "premium",
      name: "Premium+",
      features: ["welcome", "xp", "paid-roles"],
      limits: { maxGuilds: 20, commandsPerMinute: 900, aiTokensPerDay: 1, maxPaidRoles: 50 }
    },
    {
      key: "studio",
      name: "Studio",
      features: ["welcome", "studio-tools"],
      limits: { maxGuilds: 2, commandsPerMinute: 60, aiTokensPerDay: 0, maxPaidRoles: 0 }
    }
  ],
  addOns: [{ key: "studio-seat", name: "Studio seat", features: ["studio-tools"], limits: { maxGuilds: 1 } }]
})

const catalogFrom = (env: Record<string, string>) =>
  Effect.flatMap(PlanCatalog, Effect.succeed).pipe(
    Effect.provide(PlanCatalogLive.pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromJson(env)))))
  )

describe("PlanCatalog", () => {
  it("has the built-in plans cheapest first, and built-in add-ons", () => {
    const catalog = PlanCatalog.make()
    expect(catalog.all.map((plan) => plan.key)).toEqual(["free", "basic", "premium", "enterprise"])
    expect(catalog.addOns.map((addOn) => addOn.key)).toEqual(["extra-guild", "ai-tokens"])
  })

  it("sells only what this build delivers: every flag of a built-in plan or add-on switches on a registered feature, xp roles or white-label bots", () => {
    const catalog = PlanCatalog.make()
    const delivered = new Set<string>([
      ...builtinFeatureRegistry.features.flatMap((feature) => feature.requires ?? []),
      xpRolesFlag,
      whiteLabelFlag
    ])
    const sold = [...catalog.all, ...catalog.addOns].flatMap((item) => item.features.map((flag) => [item.key, flag]))
    expect(sold.filter(([, flag]) => !delivered.has(flag!))).toEqual([])
    // Analytics (/stats) is not built yet: no plan or add-on offers it, and no upgrade hint names a plan for it.
    expect(catalog.firstPlanWith("analytics")).toEqual(Option.none())
  })

  it.effect("finds plans and add-ons by key, and names the known ones for an unknown key", () =>
    Effect.gen(function*() {
      const catalog = PlanCatalog.make()
      expect((yield* catalog.get("basic")).name).toBe("Basic")
      expect((yield* catalog.getAddOn("extra-guild")).limits).toEqual({ maxGuilds: 1 })
      const unknownPlan = yield* Effect.flip(catalog.get("gold"))
      expect(unknownPlan.message).toBe("Unknown plan 'gold'. Known plans: free, basic, premium, enterprise")
      expect((yield* Effect.flip(catalog.getAddOn("gold")))._tag).toBe("UnknownAddOn")
    }))

  it("firstPlanWith names the cheapest plan that has a flag", () => {
    const catalog = PlanCatalog.make()
    expect(Option.map(catalog.firstPlanWith("xp"), (plan) => plan.key)).toEqual(Option.some("basic"))
    expect(Option.map(catalog.firstPlanWith("paid-roles"), (plan) => plan.name)).toEqual(Option.some("Premium"))
    expect(Option.map(catalog.firstPlanWith("white-label"), (plan) => plan.key)).toEqual(Option.some("enterprise"))
    expect(catalog.firstPlanWith("nothing-has-this")).toEqual(Option.none())
  })

  it.effect("GUILDHALL_PLANS adds plans and add-ons; a built-in key replaces the built-in in its place", () =>
    Effect.gen(function*() {
      const catalog = yield* catalogFrom({ GUILDHALL_PLANS: operatorConfig })
      expect(catalog.all.map((plan) => plan.key)).toEqual(["free", "basic", "premium", "enterprise", "studio"])
      const premium = yield* catalog.get("premium")
      expect(premium.name).toBe("Premium+")
      expect(premium.limits.maxGuilds).toBe(20)
      expect(catalog.plansByKey.get("studio")?.guildDefaults).toEqual({})
      expect(catalog.addOnsByKey.get("studio-seat")?.features).toEqual(["studio-tools"])
      // The replaced Premium no longer has xp roles, so the hint moves on.
      expect(Option.map(catalog.firstPlanWith("xp-roles"), (plan) => plan.key)).toEqual(Option.some("enterprise"))
      expect(Option.map(catalog.firstPlanWith("studio-tools"), (plan) => plan.key)).toEqual(Option.some("studio"))
    }))

  it.effect("without GUILDHALL_PLANS the catalog is the built-ins", () =>
    Effect.gen(function*() {
      const catalog = yield* catalogFrom({})
      expect(catalog.all).toEqual(builtinPlans)
    }))

  it.effect("an invalid GUILDHALL_PLANS fails with a message naming the bad field", () =>
    Effect.gen(function*() {
      const badLimit = JSON.stringify({
        plans: [{
          key: "x",
          name: "X",
          features: [],
          limits: { maxGuilds: -5, commandsPerMinute: 1, aiTokensPerDay: 1, maxPaidRoles: 1 }
        }]
      })
      const error = yield* Effect.flip(parseCatalogConfig(badLimit))
      expect(error._tag).toBe("InvalidPlanCatalog")
      expect(error.message).toContain("GUILDHALL_PLANS")
      expect(error.message).toContain("maxGuilds")
      expect(error.message).toContain("-5")

      const badKey = yield* Effect.flip(
        parseCatalogConfig(JSON.stringify({ addOns: [{ key: "Bad Key", name: "B", features: [], limits: {} }] }))
      )
      expect(badKey.message).toContain("addOns")
      expect(badKey.message).toContain("key")

      const missing = yield* Effect.flip(
        parseCatalogConfig(JSON.stringify({ plans: [{ key: "x", name: "X", features: [] }] }))
      )
      expect(missing.message).toContain("limits")

      expect((yield* Effect.flip(parseCatalogConfig("{not json"))).message).toContain("GUILDHALL_PLANS")

      const twice = yield* Effect.flip(parseCatalogConfig(JSON.stringify({
        plans: [JSON.parse(operatorConfig).plans[1], JSON.parse(operatorConfig).plans[1]]
      })))
      expect(twice.message).toContain("plan 'studio' is defined more than once")
    }))

  it.effect("PlanCatalogLive fails the boot on an invalid GUILDHALL_PLANS", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(catalogFrom({ GUILDHALL_PLANS: "[]" }))
      expect(error._tag).toBe("InvalidPlanCatalog")
    }))
})
