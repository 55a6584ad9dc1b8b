import { assert, describe, expect, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { DiscordGuildsMemoryControl } from "../../adapters/memory/index.js"
import { GuildFeatures, type GuildId, PaidRoles, RoleId, SetupProgressRepo, type TenantId } from "../../core/index.js"
import { admin, CommandRuntime, member, newGuild, owner, run } from "./commandRuntime.js"

const vip = RoleId.make("400000000000000010")

const progressOf = (tenantId: TenantId, guildId: GuildId) =>
  Effect.flatMap(SetupProgressRepo, (repo) => repo.get(tenantId, guildId)).pipe(Effect.map(Option.getOrThrow))

/** The guild as the gateway shows it: VIP at position 5, the bot's highest role at `botPosition`. */
const guildRoles = (guildId: GuildId, botPosition: number) =>
  Effect.flatMap(DiscordGuildsMemoryControl, (discord) =>
    discord.setGuild(guildId, {
      roles: [{ id: vip, name: "VIP", position: 5 }],
      botPosition,
      botCanManageRoles: true
    }))

describe("/setup", () => {
  layer(CommandRuntime)((it) => {
    it.effect("walks features → paid roles → providers, saving each step, and finishes once the bot can manage the role", () =>
      Effect.gen(function*() {
        const { guildId, tenantId } = yield* newGuild("premium")
        yield* guildRoles(guildId, 3)

        const first = yield* run(guildId, admin, "setup start")
        expect(first.ephemeral).toBe(true)
        expect(first.content).toContain("Setup 1/3 — Features")

        const features = yield* run(guildId, admin, "setup features", { enable: "welcome, xp" })
        expect(features.content).toContain("Turned on: `welcome`, `xp`")
        expect(features.content).toContain("Setup 2/3 — Paid roles")
        const enabled = (yield* (yield* GuildFeatures).list(tenantId, guildId)).filter((f) => f.enabled)
        expect(enabled.map((f) => f.key)).toEqual(expect.arrayContaining(["welcome", "xp"]))
        assert.strictEqual((yield* progressOf(tenantId, guildId)).step, "roles")

        // A new /setup start resumes where the admin left off.
        expect((yield* run(guildId, admin, "setup start")).content).toContain("Setup 2/3 — Paid roles")

        const role = yield* run(guildId, admin, "setup roles", {
          role: vip,
          price: 50_000,
          currency: "vnd",
          days: 30
        })
        expect(role.content).toContain("Selling @VIP for 50,000 VND, 30 days a purchase")
        expect(role.content).toContain("above the bot's highest role")
        const sold = yield* (yield* PaidRoles).find(tenantId, guildId, vip)
        assert.strictEqual(sold.name, "VIP")
        assert.deepStrictEqual((yield* progressOf(tenantId, guildId)).roles, [{ roleId: vip, days: 30 }])

        expect((yield* run(guildId, admin, "setup roles", { done: true })).content).toContain(
          "Setup 3/3 — Payment providers"
        )
        assert.strictEqual((yield* progressOf(tenantId, guildId)).step, "providers")

        const providers = yield* run(guildId, admin, "setup providers", { offer: "polar sepay" })
        expect(providers.content).toContain("polar: not configured")
        expect(providers.content).toContain("PUT /billing/providers/polar")
        expect(providers.content).toContain("PUT /billing/providers/sepay")
        const offered = yield* (yield* PaidRoles).find(tenantId, guildId, vip)
        assert.strictEqual(offered.sepayPassDays, 30)
        assert.isNull(offered.stripePriceId)
        const afterProviders = yield* progressOf(tenantId, guildId)
        assert.strictEqual(afterProviders.step, "done")
        assert.deepStrictEqual(afterProviders.offeredProviders, ["polar", "sepay"])

        const refused = yield* run(guildId, admin, "setup finish")
        expect(refused.content).toContain("Setup is not finished")
        expect(refused.content).toContain("@VIP is above the bot's highest role")
        assert.isNull((yield* progressOf(tenantId, guildId)).completedAt)

        yield* guildRoles(guildId, 10)
        expect((yield* run(guildId, admin, "setup finish")).content).toContain("Setup is complete")
        assert.isNotNull((yield* progressOf(tenantId, guildId)).completedAt)
        expect((yield* run(guildId, owner, "setup start")).content).toContain("Setup is complete")
      }))

    it.effect("a step cannot be skipped", () =>
      Effect.gen(function*() {
        const { guildId } = yield* newGuild("premium")
        const skipped = yield* run(guildId, admin, "setup providers", { offer: "stripe" })
        expect(skipped.content).toContain("Step 3/3 (Payment providers) comes after step 1/3 (Features)")
        expect(skipped.content).toContain("/setup features")
        expect((yield* run(guildId, admin, "setup finish")).content).toContain("comes after step 1/3")
      }))

    it.effect("step 1 turns on what the plan has and names the upgrade for the rest", () =>
      Effect.gen(function*() {
        const { guildId, tenantId } = yield* newGuild("free")
        const listed = yield* run(guildId, admin, "setup features")
        expect(listed.content).toContain("In your plan: `welcome`")
        expect(listed.content).toMatch(/Not in your plan.*`xp`/)

        const chosen = yield* run(guildId, admin, "setup features", { enable: "welcome, xp" })
        expect(chosen.content).toContain("Turned on: `welcome`")
        expect(chosen.content).toContain("Not turned on: `xp`")
        expect(chosen.content).toContain("Upgrade to the Basic plan")
        assert.deepStrictEqual((yield* progressOf(tenantId, guildId)).chosenFeatures, ["welcome"])
      }))

    it.effect("step 3 refuses to sell a role priced in USD over SePay: SePay sells VND only", () =>
      Effect.gen(function*() {
        const { guildId, tenantId } = yield* newGuild("premium")
        yield* run(guildId, admin, "setup features", { enable: "none" })
        yield* run(guildId, admin, "setup roles", { role: vip, price: 500, currency: "USD", days: 30 })
        yield* run(guildId, admin, "setup roles", { done: true })
        const refused = yield* run(guildId, admin, "setup providers", { offer: "sepay" })
        expect(refused.content).toContain("SePay sells VND only")
        assert.isNull((yield* (yield* PaidRoles).find(tenantId, guildId, vip)).sepayPassDays)
      }))

    it.effect("step 2 refuses a paid role beyond the plan's limit, with the upgrade hint", () =>
      Effect.gen(function*() {
        const { guildId } = yield* newGuild("free")
        yield* run(guildId, admin, "setup features", { enable: "none" })
        const refused = yield* run(guildId, admin, "setup roles", { role: vip, price: 500, currency: "USD" })
        expect(refused.content).toContain("does not include paid roles")
        expect(refused.content).toContain("/upgrade")
        expect((yield* run(guildId, admin, "setup roles", { role: vip })).content).toContain(
          "needs its price and currency"
        )
      }))

    it.effect("a member without Manage Server is stopped by the guardrail", () =>
      Effect.gen(function*() {
        const { guildId, tenantId } = yield* newGuild("premium")
        const denied = yield* run(guildId, member(), "setup features", { enable: "xp" })
        expect(denied.ephemeral).toBe(true)
        expect(denied.content).toContain("/setup features is for admins")
        assert.isTrue(Option.isNone(yield* (yield* SetupProgressRepo).get(tenantId, guildId)))
      }))
  })
})
