import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import { RepositoriesMemory } from "../../adapters/memory/index.js"
import {
  EntitlementRepo,
  GuildEntitlements,
  PlanCatalog,
  PlanKey,
  TenantBotRepo,
  type TenantId,
  TenantRepo,
  type TenantStatus,
  WhiteLabel
} from "../../core/index.js"
import { makeTenant } from "../support/fixtures.js"
import { makeOverride } from "../support/policy.js"

const Services = WhiteLabel.layer.pipe(
  Layer.provideMerge(GuildEntitlements.layer),
  Layer.provideMerge(Layer.merge(RepositoriesMemory, PlanCatalog.builtin))
)

const applicationId = "700000000000000001"
const secret = "NzAwMDAwMDAwMDAwMDAwMDAx.GxYzAb.very-secret-signature-part_Q1w2"
const bot = (overrides: { applicationId?: string; token?: string } = {}) => ({
  applicationId: overrides.applicationId ?? applicationId,
  token: Redacted.make(overrides.token ?? secret)
})

const newTenant = (planKey: string, status: TenantStatus = "active") =>
  Effect.gen(function*() {
    const tenant = makeTenant({ planKey, status })
    yield* (yield* TenantRepo).insert(tenant)
    return tenant.id
  })

const storedToken = (tenantId: TenantId) =>
  Effect.map(
    Effect.flatMap(TenantBotRepo, (repo) => repo.get(tenantId)),
    Option.map((stored) => Redacted.value(stored.token))
  )

describe("WhiteLabel", () => {
  it.effect("an enterprise tenant sets its bot; the view shows only the token's last four characters", () =>
    Effect.gen(function*() {
      const whiteLabel = yield* WhiteLabel
      const tenantId = yield* newTenant("enterprise")
      const view = yield* whiteLabel.setBot(tenantId, bot())
      assert.strictEqual(view.applicationId, applicationId)
      assert.strictEqual(view.tokenHint, "…Q1w2")
      assert.notInclude(JSON.stringify(view), "very-secret")
      assert.deepStrictEqual(yield* whiteLabel.getBot(tenantId), view)
      assert.deepStrictEqual(yield* storedToken(tenantId), Option.some(secret))
    }).pipe(Effect.provide(Services)))

  it.effect("a basic tenant is refused with the plan to upgrade to, and nothing is stored", () =>
    Effect.gen(function*() {
      const whiteLabel = yield* WhiteLabel
      const tenantId = yield* newTenant("basic")
      const error = yield* Effect.flip(whiteLabel.setBot(tenantId, bot()))
      assert.strictEqual(error._tag, "WhiteLabelNotInPlan")
      if (error._tag !== "WhiteLabelNotInPlan") return
      assert.include(error.message, "'basic' plan")
      assert.strictEqual(error.remediation, "Upgrade to the Enterprise plan")
      assert.isTrue(Option.isNone(yield* storedToken(tenantId)))
    }).pipe(Effect.provide(Services)))

  it.effect("an override granting white-label lets a premium tenant bring its bot", () =>
    Effect.gen(function*() {
      const whiteLabel = yield* WhiteLabel
      const tenantId = yield* newTenant("premium")
      yield* (yield* EntitlementRepo).createOverride(
        makeOverride({ tenantId, guildId: null, features: ["white-label"], limits: {} })
      )
      yield* whiteLabel.setBot(tenantId, bot())
      assert.deepStrictEqual((yield* whiteLabel.listBots).map((listed) => listed.tenantId), [tenantId])
    }).pipe(Effect.provide(Services)))

  it.effect("a bad application id or token is refused with a message that never repeats the token", () =>
    Effect.gen(function*() {
      const whiteLabel = yield* WhiteLabel
      const tenantId = yield* newTenant("enterprise")
      const badId = yield* Effect.flip(whiteLabel.setBot(tenantId, bot({ applicationId: "my-bot" })))
      assert.strictEqual(badId._tag, "InvalidInput")
      assert.include(badId.message, "applicationId")

      const badTokens = ["not-a-token-secretvalue", "a.b", `${secret}.extra part`, secret.replace(".", "!")]
      for (const token of badTokens) {
        const error = yield* Effect.flip(whiteLabel.setBot(tenantId, bot({ token })))
        assert.strictEqual(error._tag, "InvalidInput")
        assert.include(error.message, "token")
        assert.notInclude(error.message, token)
      }
      const prefixed = yield* Effect.flip(whiteLabel.setBot(tenantId, bot({ token: `Bot ${secret}` })))
      assert.include(prefixed.message, "'Bot ' prefix")
      assert.isTrue(Option.isNone(yield* storedToken(tenantId)))
    }).pipe(Effect.provide(Services)))

  it.effect("a read-only tenant cannot set a bot, but may remove one", () =>
    Effect.gen(function*() {
      const whiteLabel = yield* WhiteLabel
      const tenantId = yield* newTenant("enterprise")
      yield* whiteLabel.setBot(tenantId, bot())
      yield* (yield* TenantRepo).update(tenantId, { status: "read_only" })
      const error = yield* Effect.flip(whiteLabel.setBot(tenantId, bot()))
      assert.strictEqual(error._tag, "TenantNotWritable")
      yield* whiteLabel.removeBot(tenantId)
      assert.isTrue(Option.isNone(yield* storedToken(tenantId)))
    }).pipe(Effect.provide(Services)))

  it.effect("removing forgets the bot; a tenant without one gets TenantBotNotFound", () =>
    Effect.gen(function*() {
      const whiteLabel = yield* WhiteLabel
      const tenantId = yield* newTenant("enterprise")
      assert.strictEqual((yield* Effect.flip(whiteLabel.getBot(tenantId)))._tag, "TenantBotNotFound")
      yield* whiteLabel.setBot(tenantId, bot())
      yield* whiteLabel.removeBot(tenantId)
      assert.strictEqual((yield* Effect.flip(whiteLabel.getBot(tenantId)))._tag, "TenantBotNotFound")
      assert.strictEqual((yield* Effect.flip(whiteLabel.removeBot(tenantId)))._tag, "TenantBotNotFound")
      assert.deepStrictEqual(yield* whiteLabel.listBots, [])
    }).pipe(Effect.provide(Services)))

  it.effect("one bot token is one tenant's bot; a tenant may replace its own", () =>
    Effect.gen(function*() {
      const whiteLabel = yield* WhiteLabel
      const first = yield* newTenant("enterprise")
      const second = yield* newTenant("enterprise")
      yield* whiteLabel.setBot(first, bot())
      const error = yield* Effect.flip(whiteLabel.setBot(second, bot({ applicationId: "700000000000000009" })))
      assert.strictEqual(error._tag, "BotInUseByAnotherTenant")
      assert.notInclude(error.message, "very-secret")
      // The application id is public: naming it without its token squats nothing.
      const squatter = yield* newTenant("enterprise")
      const other = `${secret.slice(0, -4)}Sq00`
      yield* whiteLabel.setBot(squatter, bot({ token: other }))
      assert.deepStrictEqual(yield* storedToken(squatter), Option.some(other))
      const replacement = `${secret.slice(0, -4)}Zz99`
      assert.strictEqual((yield* whiteLabel.setBot(first, bot({ token: replacement }))).tokenHint, "…Zz99")
      assert.deepStrictEqual(yield* storedToken(first), Option.some(replacement))
    }).pipe(Effect.provide(Services)))

  it.effect("listBots leaves out suspended, offboarding and downgraded tenants, and takes them back", () =>
    Effect.gen(function*() {
      const whiteLabel = yield* WhiteLabel
      const tenants = yield* TenantRepo
      const ids = Array.from({ length: 5 }, (_, n) => `70000000000000010${n}`)
      const [active, readOnly, suspended, offboarding, downgraded] = yield* Effect.all(
        Array.from({ length: 5 }, () => newTenant("enterprise"))
      )
      for (const [index, tenantId] of [active, readOnly, suspended, offboarding, downgraded].entries()) {
        yield* whiteLabel.setBot(tenantId!, bot({ applicationId: ids[index]!, token: `${secret}${index}` }))
      }
      yield* tenants.update(readOnly!, { status: "read_only" })
      yield* tenants.update(suspended!, { status: "suspended" })
      yield* tenants.update(offboarding!, { status: "offboarding" })
      yield* tenants.update(downgraded!, { planKey: PlanKey.make("basic") })

      const running = (yield* whiteLabel.listBots).map((listed) => listed.tenantId)
      assert.sameMembers(running, [active!, readOnly!])
      const listed = (yield* whiteLabel.listBots).find((found) => found.tenantId === active)!
      assert.strictEqual(Redacted.value(listed.token), `${secret}0`)
      assert.strictEqual(listed.applicationId, ids[0])

      yield* tenants.update(downgraded!, { planKey: PlanKey.make("enterprise") })
      yield* tenants.update(suspended!, { status: "active" })
      assert.sameMembers((yield* whiteLabel.listBots).map((found) => found.tenantId), [
        active!,
        readOnly!,
        suspended!,
        downgraded!
      ])
    }).pipe(Effect.provide(Services)))
})
