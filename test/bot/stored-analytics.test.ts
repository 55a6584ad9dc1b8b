import { assert, layer } from "@effect/vitest"
import { DateTime, Effect, Option } from "effect"
import { DiscordCommandsMemoryControl } from "../../adapters/memory/index.js"
import {
  AddOnKey,
  ApplicationId,
  builtinFeatures,
  catalogEntryOf,
  ChannelId,
  CommandSync,
  EntitlementRepo,
  FeatureCatalogEntry,
  FeatureCatalogRepo,
  Guardrail,
  GuildEntitlements,
  GuildFeatureRepo,
  GuildFeatures,
  HeldAddOn,
  PlanKey,
  Rule,
  RuleId,
  RuleRepo,
  syncFeatureCatalog,
  Tenancy
} from "../../core/index.js"
import { billingRuntimes } from "../support/billing.js"
import { newGuildId, ownerId } from "../support/fixtures.js"

const applicationId = ApplicationId.make("810000000000000002")

/** The analytics feature as an earlier build registered it (with /stats), for the catalog it left behind. */
const earlierAnalytics = FeatureCatalogEntry.make({
  key: "analytics",
  name: "Analytics",
  description: "Server activity statistics: members, messages and command usage.",
  requires: "analytics",
  access: "read",
  commands: [],
  configVersion: 1
})

for (const runtime of await billingRuntimes()) {
  layer(runtime.layer(), { timeout: 60_000 })(`an install that sold analytics, over ${runtime.name}`, (it) => {
    it.effect("keeps serving after the upgrade: its add-on, toggle and rule are ignored, the catalog retires it, no /stats is synced", () =>
      Effect.gen(function*() {
        const tenancy = yield* Tenancy
        const tenant = yield* tenancy.createTenant({ name: "Acme", planKey: PlanKey.make("premium") })
        const guildId = newGuildId()
        yield* tenancy.installGuild({ tenantId: tenant.id, guildId, name: "Acme Guild", ownerId })

        // What the earlier build left in storage.
        const now = yield* DateTime.now
        yield* (yield* FeatureCatalogRepo).sync([...builtinFeatures.map(catalogEntryOf), earlierAnalytics], now)
        yield* (yield* EntitlementRepo).setHeldAddOn(
          HeldAddOn.make({ tenantId: tenant.id, addOnKey: AddOnKey.make("analytics"), quantity: 1, expiresAt: null })
        )
        yield* (yield* GuildFeatureRepo).set(tenant.id, guildId, {
          featureKey: "analytics",
          enabled: true,
          config: {},
          configVersion: 1
        })
        yield* (yield* RuleRepo).put(Rule.make({
          id: RuleId.make("00000000-0000-4000-8000-00000000a11a"),
          tenantId: tenant.id,
          guildId,
          scope: "tenant",
          target: "feature:analytics",
          subject: "guild",
          subjectId: guildId,
          effect: "deny"
        }))

        // This build boots: the catalog retires analytics.
        const synced = yield* syncFeatureCatalog
        assert.deepStrictEqual(synced.retired, ["analytics"])

        const entitlements = yield* (yield* GuildEntitlements).resolve(tenant.id, guildId)
        assert.isFalse(entitlements.features.has("analytics"))
        const listed = yield* (yield* GuildFeatures).list(tenant.id, guildId)
        assert.notInclude(listed.map((feature) => feature.key), "analytics")

        const decision = yield* (yield* Guardrail).check({
          tenantId: tenant.id,
          guildId,
          userId: ownerId,
          memberRoles: [],
          memberPermissions: 0n,
          channelId: ChannelId.make("500000000000000001"),
          parentChannelId: null,
          categoryId: null,
          appPermissions: 8n,
          commandPath: ["status"],
          interactionId: "900000000000000001"
        })
        assert.strictEqual(decision._tag, "Allow")

        yield* (yield* CommandSync).syncGuild(guildId, applicationId)
        const control = yield* DiscordCommandsMemoryControl
        const names = Option.getOrThrow(yield* control.commands(applicationId, guildId)).map((command) => command.name)
        assert.include(names, "status")
        assert.notInclude(names, "stats")
      }))
  })
}
