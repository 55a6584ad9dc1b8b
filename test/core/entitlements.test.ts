import { describe, expect, it } from "@effect/vitest"
import { DateTime, FastCheck as fc } from "effect"
import {
  AddOn,
  AddOnKey,
  type EntitlementSources,
  GuildId,
  HeldAddOn,
  isUnlimited,
  type LimitKey,
  Override,
  OverrideId,
  type PartialLimits,
  PlanCatalog,
  PlanKey,
  resolveEntitlements,
  type TenantId,
  type TenantStatus
} from "../../core/index.js"
import { at, makeTenant } from "../support/fixtures.js"

const catalog = PlanCatalog.make({
  addOns: [
    AddOn.make({
      key: AddOnKey.make("more"),
      name: "More",
      features: ["custom"],
      limits: { maxGuilds: 2, aiTokensPerDay: 1_000 }
    }),
    AddOn.make({ key: AddOnKey.make("infinite-ai"), name: "Infinite AI", features: [], limits: { aiTokensPerDay: -1 } })
  ]
})
const now = at(1_000_000)
const later = (millis: number) => at(1_000_000 + millis)
const earlier = (millis: number) => at(1_000_000 - millis)
const guild = GuildId.make("100000000000000001")
const otherGuild = GuildId.make("100000000000000002")
const tenant = makeTenant({ planKey: "basic" })

let overrideCounter = 0
const override = (options: {
  readonly tenantId?: TenantId
  readonly guildId?: GuildId | null
  readonly planKey?: string | null
  readonly features?: ReadonlyArray<string>
  readonly limits?: PartialLimits
  readonly expiresAt?: DateTime.Utc | null
  readonly createdAt?: DateTime.Utc
}) =>
  Override.make({
    id: OverrideId.make(`00000000-0000-4000-8000-${String(++overrideCounter).padStart(12, "0")}`),
    tenantId: options.tenantId ?? tenant.id,
    guildId: options.guildId ?? null,
    planKey: options.planKey === undefined || options.planKey === null ? null : PlanKey.make(options.planKey),
    features: options.features ?? [],
    limits: options.limits ?? {},
    reason: "test",
    expiresAt: options.expiresAt ?? null,
    createdAt: options.createdAt ?? at(0)
  })

const held = (addOnKey: string, quantity = 1, expiresAt: DateTime.Utc | null = null, tenantId = tenant.id) =>
  HeldAddOn.make({ tenantId, addOnKey: AddOnKey.make(addOnKey), quantity, expiresAt })

const sources = (options: Partial<EntitlementSources> = {}): EntitlementSources => ({
  tenant,
  guildId: guild,
  plans: catalog.plansByKey,
  addOns: catalog.addOnsByKey,
  held: [],
  overrides: [],
  now,
  ...options
})

const resolve = (options: Partial<EntitlementSources> = {}) => resolveEntitlements(sources(options))

describe("resolveEntitlements", () => {
  it("is the tenant's plan when nothing else applies", () => {
    const result = resolve()
    expect(result.planKey).toBe("basic")
    expect([...result.features].sort()).toEqual(["announcements", "welcome", "xp"])
    expect(result.limits).toEqual({ maxGuilds: 3, commandsPerMinute: 120, aiTokensPerDay: 10_000, maxPaidRoles: 2 })
    expect(result.access).toBe("full")
    expect(result.validUntil).toBeNull()
  })

  it("an override's plan replaces the tenant's", () => {
    const result = resolve({ overrides: [override({ planKey: "premium" })] })
    expect(result.planKey).toBe("premium")
    expect(result.features.has("paid-roles")).toBe(true)
    expect(result.limits.maxGuilds).toBe(10)
  })

  it("applies tenant overrides, then guild overrides, each oldest first, whatever the input order", () => {
    const overrides = [
      override({ guildId: guild, planKey: "enterprise", limits: { maxPaidRoles: 7 }, createdAt: at(1) }),
      override({ planKey: "premium", limits: { maxPaidRoles: 5, maxGuilds: 4 }, createdAt: at(3) }),
      override({ planKey: "free", limits: { maxPaidRoles: 1 }, createdAt: at(2) })
    ]
    const result = resolve({ overrides })
    expect(result.planKey).toBe("enterprise")
    expect(result.limits.maxPaidRoles).toBe(7)
    // The later tenant override's limit stands where no guild override sets it.
    expect(result.limits.maxGuilds).toBe(4)
    expect(resolve({ overrides: [...overrides].reverse() })).toEqual(result)
    // For the tenant as a whole, only tenant overrides count: the newer one wins.
    expect(resolve({ overrides, guildId: null }).planKey).toBe("premium")
  })

  it("an override grants extra feature flags and sets limits, even below the plan's", () => {
    const result = resolve({ overrides: [override({ features: ["analytics"], limits: { commandsPerMinute: 10 } })] })
    expect(result.features.has("analytics")).toBe(true)
    expect(result.limits.commandsPerMinute).toBe(10)
    expect(resolve({ overrides: [override({ limits: { maxGuilds: -1 } })] }).limits.maxGuilds).toBe(-1)
  })

  it("override limits are set after add-ons are added", () => {
    const result = resolve({ held: [held("more", 3)], overrides: [override({ limits: { maxGuilds: 5 } })] })
    expect(result.limits.maxGuilds).toBe(5)
    expect(result.limits.aiTokensPerDay).toBe(13_000)
  })

  it("add-ons add their flags, and their limits once per unit held", () => {
    const result = resolve({ held: [held("more", 3), held("extra-guild", 2)] })
    expect(result.features.has("custom")).toBe(true)
    expect(result.limits.maxGuilds).toBe(3 + 3 * 2 + 2)
    expect(result.limits.aiTokensPerDay).toBe(10_000 + 3_000)
    expect(result.limits.commandsPerMinute).toBe(120)
  })

  it("unlimited (-1) dominates: an unlimited add-on or plan stays unlimited", () => {
    expect(resolve({ held: [held("infinite-ai"), held("more", 4)] }).limits.aiTokensPerDay).toBe(-1)
    const enterprise = resolve({
      tenant: makeTenant({ id: tenant.id, planKey: "enterprise" }),
      held: [held("more", 2)]
    })
    expect(enterprise.limits.maxGuilds).toBe(-1)
    expect(enterprise.limits.aiTokensPerDay).toBe(-1)
  })

  it("ignores expired overrides and add-ons (an expiry of exactly now has passed)", () => {
    const result = resolve({
      overrides: [
        override({ planKey: "enterprise", expiresAt: now }),
        override({ features: ["x"], expiresAt: earlier(1) })
      ],
      held: [held("more", 1, earlier(10))]
    })
    expect(result).toEqual(resolve())
  })

  it("ignores another guild's overrides and other tenants' overrides and add-ons", () => {
    const stranger = makeTenant().id
    const result = resolve({
      overrides: [
        override({ guildId: otherGuild, planKey: "enterprise" }),
        override({ tenantId: stranger, planKey: "premium" })
      ],
      held: [held("more", 5, null, stranger)]
    })
    expect(result).toEqual(resolve())
  })

  it.each<[TenantStatus, string]>([
    ["active", "full"],
    ["read_only", "read_only"],
    ["suspended", "essential_only"],
    ["offboarding", "essential_only"]
  ])("a %s tenant gets %s access", (status, access) => {
    expect(resolve({ tenant: makeTenant({ id: tenant.id, planKey: "basic", status }) }).access).toBe(access)
  })

  it("is valid until the earliest expiry among the overrides and add-ons in effect", () => {
    const result = resolve({
      overrides: [
        override({ expiresAt: later(500) }),
        override({ expiresAt: null }),
        override({ expiresAt: earlier(5) })
      ],
      held: [held("more", 1, later(200)), held("extra-guild", 1, later(900))]
    })
    expect(result.validUntil).toEqual(later(200))
  })

  it("fails closed on an unknown plan: no flags and zero limits from the plan", () => {
    const result = resolve({ tenant: makeTenant({ id: tenant.id, planKey: "retired-plan" }) })
    expect(result.planKey).toBe("retired-plan")
    expect(result.features.size).toBe(0)
    expect(result.limits).toEqual({ maxGuilds: 0, commandsPerMinute: 0, aiTokensPerDay: 0, maxPaidRoles: 0 })
    // An override that names an unknown plan fails closed the same way.
    expect(resolve({ overrides: [override({ planKey: "nope" })] }).features.size).toBe(0)
  })
})

// Properties over random overrides and add-ons.

const limitKeys: ReadonlyArray<LimitKey> = ["maxGuilds", "commandsPerMinute", "aiTokensPerDay", "maxPaidRoles"]
const limit = fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 10_000 }))
const partialLimits: fc.Arbitrary<PartialLimits> = fc.record(
  { maxGuilds: limit, commandsPerMinute: limit, aiTokensPerDay: limit, maxPaidRoles: limit },
  { requiredKeys: [] }
)
const flags = fc.subarray(["welcome", "xp", "analytics", "paid-roles", "custom", "beta"])
const planKey = fc.option(fc.constantFrom("free", "basic", "premium", "enterprise"), { nil: null })
const activeExpiry = fc.option(fc.integer({ min: 1, max: 1_000_000 }).map(later), { nil: null })
const expiredExpiry = fc.integer({ min: 0, max: 1_000_000 }).map(earlier)

const overrideWith = (expiry: fc.Arbitrary<DateTime.Utc | null>) =>
  fc.record({
    guildId: fc.constantFrom(null, guild, otherGuild),
    planKey,
    features: flags,
    limits: partialLimits,
    expiresAt: expiry,
    createdAt: fc.integer({ min: 0, max: 100 }).map(at)
  }).map(override)

const heldWith = (expiry: fc.Arbitrary<DateTime.Utc | null>) =>
  fc.record({
    key: fc.constantFrom("more", "infinite-ai", "extra-guild", "ai-tokens"),
    quantity: fc.integer({ min: 1, max: 5 }),
    expiresAt: expiry
  })
    .map(({ expiresAt, key, quantity }) => held(key, quantity, expiresAt))

const scenario = fc.record({
  plan: fc.constantFrom("free", "basic", "premium", "enterprise"),
  overrides: fc.array(overrideWith(fc.oneof(activeExpiry, expiredExpiry)), { maxLength: 5 }),
  held: fc.array(heldWith(fc.oneof(activeExpiry, expiredExpiry)), { maxLength: 5 })
})

const sourcesOf = (s: typeof scenario extends fc.Arbitrary<infer T> ? T : never): EntitlementSources =>
  sources({ tenant: makeTenant({ id: tenant.id, planKey: s.plan }), overrides: s.overrides, held: s.held })

/** `a` allows at least as much as `b` (-1, unlimited, is the most). */
const atLeast = (a: number, b: number) => isUnlimited(a) || (!isUnlimited(b) && a >= b)

describe("resolveEntitlements properties", () => {
  it.prop(
    "adding an active add-on never lowers a limit or removes a flag",
    [scenario, fc.record({ features: flags, limits: partialLimits }), fc.integer({ min: 1, max: 5 }), activeExpiry],
    ([s, extra, quantity, expiresAt]) => {
      const addOn = AddOn.make({ key: AddOnKey.make("random"), name: "Random", ...extra })
      const before = resolveEntitlements(sourcesOf(s))
      const after = resolveEntitlements({
        ...sourcesOf(s),
        addOns: new Map([...catalog.addOnsByKey, ["random", addOn]]),
        held: [...s.held, held("random", quantity, expiresAt)]
      })
      for (const flag of before.features) expect(after.features.has(flag)).toBe(true)
      for (const key of limitKeys) expect(atLeast(after.limits[key], before.limits[key])).toBe(true)
    }
  )

  it.prop(
    "expired overrides and add-ons never change the result",
    [
      scenario,
      fc.array(overrideWith(expiredExpiry), { maxLength: 4 }),
      fc.array(heldWith(expiredExpiry), { maxLength: 4 })
    ],
    ([s, expiredOverrides, expiredHeld]) => {
      const base = sourcesOf(s)
      const withExpired = {
        ...base,
        overrides: [...base.overrides, ...expiredOverrides],
        held: [...base.held, ...expiredHeld]
      }
      expect(resolveEntitlements(withExpired)).toEqual(resolveEntitlements(base))
    }
  )

  it.prop("validUntil is the earliest future expiry among the grants that apply, else null", [scenario], ([s]) => {
    const applying = [
      ...s.overrides.filter((o) => o.guildId === null || o.guildId === guild).map((o) => o.expiresAt),
      ...s.held.map((h) => h.expiresAt)
    ].filter((expiry): expiry is DateTime.Utc => expiry !== null && DateTime.greaterThan(expiry, now))
    const earliest = applying.length === 0 ? null : Math.min(...applying.map((expiry) => expiry.epochMillis))
    expect(resolveEntitlements(sourcesOf(s)).validUntil?.epochMillis ?? null).toBe(earliest)
  })
})
