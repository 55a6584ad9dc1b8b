import { Context, DateTime, Effect, Layer, Option, Redacted, Schema } from "effect"
import { InvalidInput } from "../errors.js"
import { TenantId } from "../ids.js"
import { GuildEntitlements } from "../plans/GuildEntitlements.js"
import { PlanCatalog } from "../plans/PlanCatalog.js"
import { ApplicationId } from "../ports/DiscordCommands.js"
import { type TenantBot, TenantBotRepo } from "../ports/TenantBotRepo.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import { TenantNotFound, TenantNotWritable } from "../tenancy/errors.js"
import { acceptsWrites, type Tenant } from "../tenancy/Tenant.js"

/** The plan flag that lets a tenant bring its own bot. */
export const whiteLabelFlag = "white-label"

export class WhiteLabelNotInPlan extends Schema.TaggedError<WhiteLabelNotInPlan>()("WhiteLabelNotInPlan", {
  tenantId: TenantId,
  planKey: Schema.String,
  message: Schema.String,
  remediation: Schema.String
}) {}

export class TenantBotNotFound extends Schema.TaggedError<TenantBotNotFound>()("TenantBotNotFound", {
  tenantId: TenantId,
  message: Schema.String
}) {
  static of(tenantId: TenantId) {
    return new TenantBotNotFound({ tenantId, message: `Tenant ${tenantId} has no bot of its own` })
  }
}

/**
 * Two clients logged in as one bot would keep disconnecting each other: one
 * token, one tenant. Keyed on the token, not the public application id, so a
 * tenant cannot squat another's application without holding its token.
 */
export class BotInUseByAnotherTenant extends Schema.TaggedError<BotInUseByAnotherTenant>()(
  "BotInUseByAnotherTenant",
  { applicationId: ApplicationId, message: Schema.String, remediation: Schema.String }
) {
  static of(applicationId: ApplicationId) {
    return new BotInUseByAnotherTenant({
      applicationId,
      message: `This bot token (application ${applicationId}) is already another tenant's bot`,
      remediation: "Create a separate application (with its own bot) in the Discord Developer Portal for this tenant"
    })
  }
}

/** What anyone may see of a tenant's bot: never the token, only its last four characters. */
export const TenantBotView = Schema.Struct({
  applicationId: ApplicationId,
  /** "…" and the token's last four characters, to tell which token is stored. */
  tokenHint: Schema.String,
  updatedAt: Schema.DateTimeUtc
})
export type TenantBotView = typeof TenantBotView.Type

/** A tenant's bot as given, before it is checked. */
export interface WhiteLabelBotInput {
  readonly applicationId: string
  readonly token: Redacted.Redacted<string>
}

/** Three base64url parts (the bot's id, a timestamp, a signature), as Discord issues bot tokens. */
const tokenShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

// The messages never repeat the token: a bad token is still a secret.
const checkToken = (token: Redacted.Redacted<string>): Effect.Effect<Redacted.Redacted<string>, InvalidInput> => {
  const value = Redacted.value(token).trim()
  if (/^Bot\s/i.test(value)) {
    return Effect.fail(new InvalidInput({ message: "token: give the bot token without the 'Bot ' prefix" }))
  }
  if (value.length < 50 || value.length > 200 || !tokenShape.test(value)) {
    return Effect.fail(
      new InvalidInput({
        message: "token: expected a Discord bot token, three dot-separated parts of letters, digits, '-' and '_' " +
          "(copy it from the Bot page of your application in the Discord Developer Portal)"
      })
    )
  }
  return Effect.succeed(Redacted.make(value))
}

const checkApplicationId = (applicationId: string) =>
  Schema.decodeUnknown(ApplicationId)(applicationId.trim()).pipe(
    Effect.mapError(() =>
      new InvalidInput({
        message: "applicationId: expected a Discord application id, a string of 17 to 20 digits " +
          "(the Application ID on the General Information page of your application)"
      })
    )
  )

export const tokenHint = (token: Redacted.Redacted<string>): string => `…${Redacted.value(token).slice(-4)}`

const viewOf = (bot: Pick<TenantBot, "applicationId" | "token" | "updatedAt">): TenantBotView => ({
  applicationId: bot.applicationId,
  tokenHint: tokenHint(bot.token),
  updatedAt: bot.updatedAt
})

/** Suspended and offboarding tenants keep their stored bot, but no client runs for them. */
const runsClients = (tenant: Tenant): boolean => tenant.status === "active" || tenant.status === "read_only"

const make = Effect.gen(function*() {
  const bots = yield* TenantBotRepo
  const tenants = yield* TenantRepo
  const entitlements = yield* GuildEntitlements
  const catalog = yield* PlanCatalog

  const tenantOf = (tenantId: TenantId) =>
    Effect.flatMap(
      tenants.findById(tenantId),
      Option.match({ onNone: () => Effect.fail(TenantNotFound.of(tenantId)), onSome: Effect.succeed })
    )

  /** Whether the tenant's plan (with its add-ons and overrides) includes white-label bots. */
  const allowed = (tenantId: TenantId) =>
    Effect.map(entitlements.resolve(tenantId, null), (resolved) => ({
      planKey: resolved.planKey,
      allowed: resolved.features.has(whiteLabelFlag)
    }))

  /**
   * Stores the tenant's own bot (replacing an earlier one). The plan must
   * include white-label bots and the tenant must accept writes; the runner
   * picks the bot up on its next poll of `listBots`.
   */
  const setBot = (tenantId: TenantId, input: WhiteLabelBotInput) =>
    Effect.gen(function*() {
      const tenant = yield* tenantOf(tenantId)
      if (!acceptsWrites(tenant)) return yield* TenantNotWritable.of(tenantId, tenant.status)
      const plan = yield* allowed(tenantId)
      if (!plan.allowed) {
        const upgrade = Option.map(catalog.firstPlanWith(whiteLabelFlag), (found) => found.name)
        return yield* new WhiteLabelNotInPlan({
          tenantId,
          planKey: plan.planKey,
          message: `A bot of your own (white-label) is not included in the '${plan.planKey}' plan`,
          remediation: Option.match(upgrade, {
            onNone: () => "Ask the operator for a plan that includes white-label bots",
            onSome: (name) => `Upgrade to the ${name} plan`
          })
        })
      }
      const applicationId = yield* checkApplicationId(input.applicationId)
      const token = yield* checkToken(input.token)
      const taken = (yield* bots.listAll()).some((bot) =>
        bot.tenantId !== tenantId && Redacted.value(bot.token) === Redacted.value(token)
      )
      if (taken) return yield* BotInUseByAnotherTenant.of(applicationId)
      const bot = { applicationId, token, updatedAt: yield* DateTime.now }
      yield* bots.put(tenantId, bot)
      return viewOf(bot)
    })

  const getBot = (tenantId: TenantId) =>
    Effect.gen(function*() {
      yield* tenantOf(tenantId)
      const stored = yield* bots.get(tenantId)
      if (Option.isNone(stored)) return yield* TenantBotNotFound.of(tenantId)
      return viewOf(stored.value)
    })

  /** Forgets the tenant's bot (its client stops at the runner's next poll). Allowed whatever the tenant's state. */
  const removeBot = (tenantId: TenantId) =>
    Effect.gen(function*() {
      yield* tenantOf(tenantId)
      if (!(yield* bots.remove(tenantId))) return yield* TenantBotNotFound.of(tenantId)
    })

  /**
   * The bots the hosted runner should run a client for: stored bots whose
   * tenant still exists, is not suspended or offboarding, and whose plan
   * still includes white-label bots (a downgrade stops the client, the
   * stored bot comes back with an upgrade).
   */
  const listBots: Effect.Effect<ReadonlyArray<TenantBot>> = Effect.gen(function*() {
    const stored = yield* bots.listAll()
    const runnable = yield* Effect.forEach(stored, (bot) =>
      Effect.gen(function*() {
        const tenant = yield* tenants.findById(bot.tenantId)
        if (Option.isNone(tenant) || !runsClients(tenant.value)) return false
        return (yield* allowed(bot.tenantId)).allowed
      }).pipe(Effect.catchTag("TenantNotFound", () => Effect.succeed(false))), { concurrency: 4 })
    return stored.filter((_, index) => runnable[index])
  })

  return { setBot, getBot, removeBot, listBots } as const
})

/**
 * White-label bots: a tenant whose plan allows it brings its own Discord
 * bot; the hosted runner runs one client per such tenant beside the
 * platform's, all through the same core (ADR 071).
 */
export interface WhiteLabelService {
  /** Stores the tenant's own bot (replacing an earlier one), if its plan includes white-label bots. */
  readonly setBot: (
    tenantId: TenantId,
    input: WhiteLabelBotInput
  ) => Effect.Effect<
    TenantBotView,
    InvalidInput | TenantNotFound | TenantNotWritable | WhiteLabelNotInPlan | BotInUseByAnotherTenant
  >
  readonly getBot: (tenantId: TenantId) => Effect.Effect<TenantBotView, TenantNotFound | TenantBotNotFound>
  /** Forgets the tenant's bot, whatever the tenant's state. */
  readonly removeBot: (tenantId: TenantId) => Effect.Effect<void, TenantNotFound | TenantBotNotFound>
  /** The bots the hosted runner runs a client for. */
  readonly listBots: Effect.Effect<ReadonlyArray<TenantBot>>
}

export class WhiteLabel extends Context.Tag("core/WhiteLabel")<WhiteLabel, WhiteLabelService>() {
  static readonly layer = Layer.effect(WhiteLabel, make)
}
