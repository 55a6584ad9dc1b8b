import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Either, Option } from "effect"
import {
  decideInstall,
  Guild,
  GuildId,
  type InstallRequest,
  type InstallState,
  PlanCatalog,
  Tenant,
  TenantId,
  type TenantStatus,
  UserId
} from "../../core/index.js"

const now = DateTime.unsafeMake("2026-11-23T12:00:00Z")
const earlier = DateTime.unsafeMake("2026-01-01T00:00:00Z")
const tenantA = TenantId.make("00000000-0000-4000-8000-00000000000a")
const tenantB = TenantId.make("00000000-0000-4000-8000-00000000000b")
const guildId = GuildId.make("123456789012345678")
const free = Effect.runSync(PlanCatalog.make().get("free"))
const enterprise = Effect.runSync(PlanCatalog.make().get("enterprise"))

const tenant = (status: TenantStatus = "active") =>
  Tenant.make({
    id: tenantA,
    name: "A",
    mode: "hosted",
    status,
    planKey: free.key,
    guildDefaults: {},
    createdAt: earlier
  })

const request: InstallRequest = {
  tenantId: tenantA,
  guildId,
  name: "Guild",
  ownerId: UserId.make("223456789012345678")
}

const storedGuild = (status: "installed" | "removed") =>
  Guild.make({
    tenantId: tenantA,
    guildId,
    name: "Old name",
    ownerId: UserId.make("323456789012345678"),
    status,
    config: { locale: "vi" },
    installedAt: earlier,
    removedAt: status === "removed" ? earlier : null
  })

const state = (overrides: Partial<InstallState> = {}): InstallState => ({
  tenant: tenant(),
  currentOwner: Option.none(),
  existing: Option.none(),
  installedCount: 0,
  ...overrides
})

const decide = (s: InstallState, r: InstallRequest = request, plan = free) =>
  Effect.runSync(Effect.either(decideInstall(s, r, plan, now)))

describe("decideInstall", () => {
  it("installs a new guild within the plan's limit", () => {
    const result = Either.getOrThrow(decide(state()))
    expect(result._tag).toBe("Installed")
    expect(result.guild.status).toBe("installed")
    expect(result.guild.installedAt).toEqual(now)
    expect(result.guild.config).toEqual({})
  })

  it("refuses a guild another tenant has installed", () => {
    const result = decide(state({ currentOwner: Option.some(tenantB) }))
    expect(Either.isLeft(result) && result.left._tag).toBe("GuildOwnedByAnotherTenant")
  })

  it("refuses a new guild at the plan's guild limit, with a remediation", () => {
    const result = decide(state({ installedCount: 1 }))
    if (Either.isRight(result) || result.left._tag !== "GuildLimitReached") {
      throw new Error("expected GuildLimitReached")
    }
    expect(result.left.limit).toBe(1)
    expect(result.left.remediation).toMatch(/Upgrade/)
  })

  it("treats -1 as unlimited", () => {
    expect(Either.isRight(decide(state({ installedCount: 10_000 }), request, enterprise))).toBe(true)
  })

  it("updates an installed guild without counting it against the limit", () => {
    const result = Either.getOrThrow(
      decide(
        state({
          installedCount: 1,
          currentOwner: Option.some(tenantA),
          existing: Option.some(storedGuild("installed"))
        })
      )
    )
    expect(result._tag).toBe("Updated")
    expect(result.guild.name).toBe("Guild")
    expect(result.guild.installedAt).toEqual(earlier)
    expect(result.guild.config).toEqual({ locale: "vi" })
  })

  it("restores a removed guild with its config", () => {
    const result = Either.getOrThrow(decide(state({ existing: Option.some(storedGuild("removed")) })))
    expect(result._tag).toBe("Restored")
    expect(result.guild.config).toEqual({ locale: "vi" })
    expect(result.guild.removedAt).toBeNull()
    expect(result.guild.installedAt).toEqual(now)
  })

  it("replaces the stored config when the request carries one", () => {
    const result = Either.getOrThrow(
      decide(state({ existing: Option.some(storedGuild("removed")) }), { ...request, config: { timezone: "UTC" } })
    )
    expect(result.guild.config).toEqual({ timezone: "UTC" })
  })

  it("a restore still needs room under the limit", () => {
    const result = decide(state({ installedCount: 1, existing: Option.some(storedGuild("removed")) }))
    expect(Either.isLeft(result) && result.left._tag).toBe("GuildLimitReached")
  })

  it.each(["read_only", "suspended", "offboarding"] as const)(
    "refuses any install while the tenant is %s",
    (status) => {
      const result = decide(state({ tenant: tenant(status) }))
      if (Either.isRight(result) || result.left._tag !== "TenantNotWritable") {
        throw new Error(
          "expected TenantNotWritable"
        )
      }
      expect(result.left.status).toBe(status)
    }
  )
})
