// Imports Guildhall by package name, the way an embedding backend does.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { GuildId, Tenancy, UserId } from "guildhall/core"
import { TestRuntime } from "guildhall/programs"

describe("embedding Guildhall by package name", () => {
  it.effect("runs a tenant and its guild through the test runtime", () =>
    Effect.gen(function*() {
      const tenancy = yield* Tenancy
      const tenant = yield* tenancy.createTenant({ name: "Embedded" })
      const guildId = GuildId.make("400000000000000001")
      const installed = yield* tenancy.installGuild({
        tenantId: tenant.id,
        guildId,
        name: "Embedded guild",
        ownerId: UserId.make("500000000000000001")
      })
      expect(installed.outcome).toBe("Installed")
      const asset = yield* tenancy.getAsset(guildId, Option.some(tenant.id))
      expect(asset.guild.tenantId).toBe(tenant.id)
      expect(asset.plan.key).toBe("free")
      // TestClock: time stands still at the epoch unless the test moves it.
      expect(asset.guild.installedAt.epochMillis).toBe(0)
    }).pipe(Effect.provide(TestRuntime)))
})
