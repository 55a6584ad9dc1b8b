import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { NodeCrypto } from "../../adapters/crypto/index.js"
import { RepositoriesMemory } from "../../adapters/memory/index.js"
import { GuildId, PlanCatalog, PlanKey, Tenancy, UserId } from "../../core/index.js"

const TestLayer = Tenancy.layer.pipe(Layer.provide(Layer.mergeAll(RepositoriesMemory, NodeCrypto, PlanCatalog.builtin)))
const owner = UserId.make("223456789012345678")
const guild = (n: number) => GuildId.make(`1000000000000000${String(n).padStart(2, "0")}`)

describe("Tenancy", () => {
  it.effect("creates tenants on the free plan by default and refuses unknown plans", () =>
    Effect.gen(function*() {
      const tenancy = yield* Tenancy
      const tenant = yield* tenancy.createTenant({ name: "  Acme  " })
      expect(tenant.planKey).toBe("free")
      expect(tenant.status).toBe("active")
      expect(yield* tenancy.getTenant(tenant.id)).toEqual(tenant)
      const error = yield* Effect.flip(tenancy.createTenant({ name: "X", planKey: PlanKey.make("gold") }))
      expect(error._tag).toBe("UnknownPlan")
      expect(error.message).toMatch(/Known plans: free, basic, premium, enterprise/)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("lists a tenant's guilds with plan features and layered settings", () =>
    Effect.gen(function*() {
      const tenancy = yield* Tenancy
      const tenant = yield* tenancy.createTenant({
        name: "Acme",
        planKey: PlanKey.make("basic"),
        guildDefaults: { locale: "de", timezone: "Europe/Berlin" }
      })
      yield* tenancy.installGuild({
        tenantId: tenant.id,
        guildId: guild(1),
        name: "One",
        ownerId: owner,
        config: { locale: "vi" }
      })
      const [asset] = yield* tenancy.listAssets(tenant.id)
      expect(asset?.plan.features).toContain("xp")
      expect(asset?.settings.locale).toBe("vi")
      expect(asset?.settings.timezone).toBe("Europe/Berlin")
    }).pipe(Effect.provide(TestLayer)))

  it.effect("a guild moves to another tenant only after its owner removes it, and comes back with its config", () =>
    Effect.gen(function*() {
      const tenancy = yield* Tenancy
      const a = yield* tenancy.createTenant({ name: "A" })
      const b = yield* tenancy.createTenant({ name: "B" })
      yield* tenancy.installGuild({
        tenantId: a.id,
        guildId: guild(2),
        name: "G",
        ownerId: owner,
        config: { locale: "fr" }
      })
      const refused = yield* Effect.flip(
        tenancy.installGuild({ tenantId: b.id, guildId: guild(2), name: "G", ownerId: owner })
      )
      expect(refused._tag).toBe("GuildOwnedByAnotherTenant")

      yield* tenancy.removeGuild(a.id, guild(2))
      const atB = yield* tenancy.installGuild({ tenantId: b.id, guildId: guild(2), name: "G", ownerId: owner })
      expect(atB.outcome).toBe("Installed")
      expect((yield* tenancy.getAsset(guild(2), Option.none())).guild.tenantId).toBe(b.id)

      yield* tenancy.removeGuild(b.id, guild(2))
      const back = yield* tenancy.installGuild({ tenantId: a.id, guildId: guild(2), name: "G", ownerId: owner })
      expect(back.outcome).toBe("Restored")
      expect(back.asset.guild.config).toEqual({ locale: "fr" })
    }).pipe(Effect.provide(TestLayer)))

  it.effect("a tenant's own view never shows another tenant's guild", () =>
    Effect.gen(function*() {
      const tenancy = yield* Tenancy
      const a = yield* tenancy.createTenant({ name: "A" })
      const b = yield* tenancy.createTenant({ name: "B" })
      yield* tenancy.installGuild({ tenantId: a.id, guildId: guild(3), name: "G", ownerId: owner })
      expect((yield* Effect.flip(tenancy.getAsset(guild(3), Option.some(b.id))))._tag).toBe("GuildNotFound")
      expect((yield* Effect.flip(tenancy.removeGuild(b.id, guild(3))))._tag).toBe("GuildNotFound")
      expect((yield* tenancy.getAsset(guild(3), Option.some(a.id))).guild.status).toBe("installed")
    }).pipe(Effect.provide(TestLayer)))

  it.effect("the plan's guild limit holds under concurrent installs", () =>
    Effect.gen(function*() {
      const tenancy = yield* Tenancy
      const tenant = yield* tenancy.createTenant({ name: "Busy", planKey: PlanKey.make("basic") })
      const results = yield* Effect.forEach(
        Array.from({ length: 12 }, (_, i) => guild(20 + i)),
        (guildId) => Effect.either(tenancy.installGuild({ tenantId: tenant.id, guildId, name: "G", ownerId: owner })),
        { concurrency: "unbounded" }
      )
      expect(results.filter((r) => r._tag === "Right")).toHaveLength(3)
      const installed = (yield* tenancy.listAssets(tenant.id)).filter((a) => a.guild.status === "installed")
      expect(installed).toHaveLength(3)
    }).pipe(Effect.provide(TestLayer)))
})
