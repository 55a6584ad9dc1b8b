import { Effect, Layer, TestContext } from "effect"
import {
  DiscordCommandsMemory,
  DiscordGuildsMemory,
  DiscordMessagesMemory,
  DiscordRolesMemory,
  QuotaStoreMemory,
  ReadinessMemory,
  RepositoriesMemory
} from "../../adapters/memory/index.js"
import {
  ApplicationId,
  BotLinks,
  ChannelId,
  type CheckoutLink,
  type GuildId,
  type IncomingCommand,
  Interactions,
  type OptionValue,
  parseCatalogConfig,
  Permission,
  PlanCatalog,
  PolarGateway,
  type RoleId,
  StripeGateway,
  TenantRepo,
  UserId
} from "../../core/index.js"
import { makeCore } from "../../programs/Core.js"
import { install, makeTenant, newGuildId, ownerId } from "../support/fixtures.js"
import { makeTestLayer } from "../support/makeTestLayer.js"

/** What the fake payment gateways were asked for. */
export interface GatewayCalls {
  readonly stripePlans: Array<{ readonly planKey: string; readonly priceId: string; readonly successUrl: string }>
  readonly stripeRoles: Array<{ readonly priceId: string; readonly metadata: Readonly<Record<string, string>> }>
  readonly polarRoles: Array<{ readonly productId: string; readonly successUrl: string }>
}

export const gatewayCalls: GatewayCalls = { stripePlans: [], stripeRoles: [], polarRoles: [] }

const link = (url: string): CheckoutLink => ({ url, checkoutId: url.split("/").at(-1)! })

/** Stripe and Polar answering links (what their SDKs' tests prove against the real shapes elsewhere). */
const FakeGateways = Layer.mergeAll(
  makeTestLayer(StripeGateway)({
    planCheckout: (request) =>
      Effect.sync(() => {
        gatewayCalls.stripePlans.push(request)
        return link(`https://checkout.stripe.test/c/pay/cs_plan_${request.planKey}`)
      }),
    roleCheckout: (request) =>
      Effect.sync(() => {
        gatewayCalls.stripeRoles.push(request)
        return link(`https://checkout.stripe.test/c/pay/cs_role_${request.priceId}`)
      })
  }),
  makeTestLayer(PolarGateway)({
    roleCheckout: (request) =>
      Effect.sync(() => {
        gatewayCalls.polarRoles.push(request)
        return link(`https://polar.test/checkout/polar_c_${request.productId}`)
      })
  })
)

/** The Basic plan sold through Stripe, so /upgrade has something to sell above Free (as GUILDHALL_PLANS spells it). */
const plans = JSON.stringify({
  plans: [{
    key: "basic",
    name: "Basic",
    features: ["welcome", "xp", "announcements"],
    limits: { maxGuilds: 3, commandsPerMinute: 120, aiTokensPerDay: 10_000, maxPaidRoles: 2 },
    stripePriceId: "price_basic"
  }]
})

export const links = {
  checkoutSuccessUrl: "https://guildhall.test/paid",
  checkoutCancelUrl: "https://guildhall.test/back"
}

/**
 * The core over memory with the bot's command handlers behind the
 * guardrail (Interactions), Discord's guilds in memory, and fake Stripe and
 * Polar gateways.
 */
export const CommandRuntime = makeCore({
  plans: Layer.effect(PlanCatalog, Effect.map(parseCatalogConfig(plans), PlanCatalog.make))
}).pipe(
  Layer.provideMerge(
    Layer.mergeAll(
      RepositoriesMemory,
      QuotaStoreMemory,
      ReadinessMemory,
      DiscordRolesMemory,
      DiscordGuildsMemory,
      DiscordCommandsMemory,
      DiscordMessagesMemory,
      FakeGateways,
      Layer.succeed(BotLinks, links)
    )
  ),
  Layer.provideMerge(TestContext.TestContext)
)

export const adminId = UserId.make("300000000000000002")
export const memberId = UserId.make("300000000000000003")
const channelId = ChannelId.make("500000000000000001")

/** A tenant on `planKey` with one installed guild (owned by fixtures' ownerId). */
export const newGuild = (planKey: string) =>
  Effect.gen(function*() {
    const tenant = makeTenant({ planKey })
    yield* (yield* TenantRepo).insert(tenant)
    const guildId = newGuildId()
    yield* install({ tenantId: tenant.id, guildId })
    return { tenantId: tenant.id, guildId }
  })

export interface Caller {
  readonly userId: UserId
  readonly memberPermissions: bigint
  readonly memberRoles: ReadonlyArray<{ readonly id: RoleId; readonly position: number }>
}

export const owner: Caller = { userId: ownerId, memberPermissions: 0n, memberRoles: [] }
export const admin: Caller = { userId: adminId, memberPermissions: Permission.ManageGuild, memberRoles: [] }
export const member = (roles: ReadonlyArray<RoleId> = []): Caller => ({
  userId: memberId,
  memberPermissions: 0n,
  memberRoles: roles.map((id, i) => ({ id, position: i + 1 }))
})

let interactions = 0

/** `/path options` as `caller` sends it in `guildId`, through the guardrail to its handler. */
export const run = (
  guildId: GuildId,
  caller: Caller,
  path: string,
  options: Readonly<Record<string, OptionValue>> = {}
) =>
  Effect.flatMap(Interactions, (bot) => {
    const incoming: IncomingCommand = {
      context: {
        guildId,
        userId: caller.userId,
        memberRoles: caller.memberRoles,
        memberPermissions: caller.memberPermissions,
        channelId,
        parentChannelId: null,
        categoryId: null,
        appPermissions: Permission.SendMessages | Permission.ManageRoles,
        commandPath: path.split(" "),
        interactionId: `9${String(++interactions).padStart(18, "0")}`
      },
      options,
      guildName: "Acme Guild",
      applicationId: ApplicationId.make("900000000000000001")
    }
    return bot.run(incoming)
  })

/** Lets the policy cache's subscriber (a fiber of its own) hear a policy write and drop the guild's snapshot. */
export const settle = Effect.forEach(Array.from({ length: 50 }), () => Effect.yieldNow(), { discard: true })
