import { Context, DateTime, Effect, Either, Layer, Option } from "effect"
import { Money } from "../billing/Money.js"
import { type InvalidInput, validate } from "../errors.js"
import { GuildFeatures } from "../features/GuildFeatures.js"
import { type GuildId, type RoleId, type TenantId } from "../ids.js"
import type { PaidRoleLimitReached, SepaySellsVndOnly } from "../payments/errors.js"
import type { PaidRole } from "../payments/PaidRole.js"
import { type RoleProvider } from "../payments/PaidRole.js"
import { PaidRoles } from "../payments/PaidRoles.js"
import { PaymentSetup, type PaymentSetupView } from "../payments/PaymentSetup.js"
import { DiscordGuilds, type RoleManageability } from "../ports/DiscordGuilds.js"
import { SetupProgressRepo } from "../ports/SetupProgressRepo.js"
import type { GuildNotFound, TenantNotFound, TenantNotWritable } from "../tenancy/errors.js"
import { type SetupProgress, type SetupStep } from "./SetupProgress.js"
import { type SetupStepNotReached, SetupWizard } from "./SetupWizard.js"

/*
 * The /setup wizard as a service: each step of the pure machine (SetupWizard)
 * carried out against the guild's features, paid roles, payment setup and
 * Discord, its progress stored per guild.
 */

/** A role step 2 sells: its price in the currency's minor unit, for `days` (null: until revoked). */
export interface SetupRoleRequest {
  readonly roleId: RoleId
  readonly price: number
  readonly currency: string
  readonly days: number | null
}

/** One feature step 1 could not turn on, and what to do about it. */
export interface FeatureRefusal {
  readonly key: string
  readonly message: string
  readonly remediation: string | null
}

/** How each offered provider stands for the wizard's roles; what is missing is set up outside Discord. */
export interface ProviderStatus {
  readonly provider: RoleProvider
  /** null: ready. */
  readonly missing: string | null
}

const remediationOf = (error: { readonly message: string }): string | null =>
  "remediation" in error && typeof error.remediation === "string" ? error.remediation : null

const make = Effect.gen(function*() {
  const repo = yield* SetupProgressRepo
  const features = yield* GuildFeatures
  const paidRoles = yield* PaidRoles
  const paymentSetup = yield* PaymentSetup
  const discord = yield* DiscordGuilds

  const progress = (tenantId: TenantId, guildId: GuildId) =>
    Effect.flatMap(
      Effect.all([repo.get(tenantId, guildId), DateTime.now]),
      ([stored, now]) => Effect.succeed(Option.getOrElse(stored, () => SetupWizard.initial(tenantId, guildId, now)))
    )

  const reach = (tenantId: TenantId, guildId: GuildId, step: SetupStep) =>
    Effect.flatMap(progress(tenantId, guildId), (current) => SetupWizard.reachable(current, step))

  const saved = (next: SetupProgress) => Effect.as(repo.save(next), next)

  /**
   * Step 1: turns each chosen feature on; those the plan lacks (or that fail)
   * are reported with their remediation, the others are saved as chosen.
   */
  const chooseFeatures = (tenantId: TenantId, guildId: GuildId, keys: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const current = yield* reach(tenantId, guildId, "features")
      const enabled: Array<string> = []
      const refused: Array<FeatureRefusal> = []
      for (const key of new Set(keys)) {
        const outcome = yield* Effect.either(features.enable(tenantId, guildId, key, Option.none()))
        if (Either.isRight(outcome)) enabled.push(key)
        else {
          const error = outcome.left
          // The tenant cannot change anything: no point trying the other features.
          if (error._tag === "TenantNotWritable" || error._tag === "GuildNotFound") return yield* error
          refused.push({ key, message: error.message, remediation: remediationOf(error) })
        }
      }
      const next = yield* saved(SetupWizard.chooseFeatures(current, enabled, yield* DateTime.now))
      return { progress: next, enabled, refused } as const
    })

  /**
   * Step 2: sells one role (PaidRoles.put, within the plan's maxPaidRoles),
   * named as Discord names it. Its providers are set at step 3; a role the
   * guild already sells keeps the providers it has.
   */
  const addRole = (
    tenantId: TenantId,
    guildId: GuildId,
    request: SetupRoleRequest
  ) =>
    Effect.gen(function*() {
      const current = yield* reach(tenantId, guildId, "roles")
      const [manageable] = yield* discord.roleManageability(guildId, [request.roleId])
      const existing = yield* Effect.option(paidRoles.find(tenantId, guildId, request.roleId))
      const price = yield* validate(Money)({ minor: request.price, currency: request.currency.toUpperCase() })
      const role = yield* paidRoles.put(tenantId, guildId, request.roleId, {
        name: manageable?.name ??
          Option.match(existing, { onNone: () => `Role ${request.roleId}`, onSome: (r) => r.name }),
        price,
        stripePriceId: Option.match(existing, { onNone: () => null, onSome: (r) => r.stripePriceId }),
        polarProductId: Option.match(existing, { onNone: () => null, onSome: (r) => r.polarProductId }),
        sepayPassDays: Option.match(existing, { onNone: () => null, onSome: (r) => r.sepayPassDays }),
        graceDays: Option.match(existing, { onNone: () => 3, onSome: (r) => r.graceDays })
      })
      const next = yield* saved(
        SetupWizard.addRole(current, { roleId: request.roleId, days: request.days }, yield* DateTime.now)
      )
      return { progress: next, role, manageability: manageable ?? null } as const
    })

  const rolesDone = (tenantId: TenantId, guildId: GuildId) =>
    Effect.gen(function*() {
      const current = yield* reach(tenantId, guildId, "roles")
      return yield* saved(SetupWizard.rolesDone(current, yield* DateTime.now))
    })

  const providerStatus = (
    provider: RoleProvider,
    setup: PaymentSetupView,
    roles: ReadonlyArray<PaidRole>,
    guildId: GuildId
  ): ProviderStatus => {
    const route = `PUT /guilds/${guildId}/paid-roles/{roleId}`
    const lacking = (field: "stripePriceId" | "polarProductId") =>
      roles.filter((role) => role[field] === null).map((role) => `@${role.name}`)
    switch (provider) {
      case "stripe": {
        const without = lacking("stripePriceId")
        return {
          provider,
          missing: without.length === 0
            ? null
            : `no Stripe price for ${without.join(", ")}: set each role's stripePriceId with ${route}`
        }
      }
      case "polar": {
        if (!setup.polar.configured) {
          return {
            provider,
            missing: "not configured: set the Polar token and webhook secret with PUT /billing/providers/polar"
          }
        }
        const without = lacking("polarProductId")
        return {
          provider,
          missing: without.length === 0
            ? null
            : `no Polar product for ${without.join(", ")}: set each role's polarProductId with ${route}`
        }
      }
      case "sepay":
        return {
          provider,
          missing: setup.sepay.configured
            ? null
            : "not configured: set the accounts and webhook authentication with PUT /billing/providers/sepay"
        }
    }
  }

  /**
   * Step 3: the wizard's roles are sold through exactly the offered
   * providers. SePay passes last the role's days (30 if none was given);
   * Stripe prices and Polar products come from the provider's dashboard and
   * are kept as set (secrets and ids never go through Discord).
   */
  const offerProviders = (tenantId: TenantId, guildId: GuildId, providers: ReadonlyArray<RoleProvider>) =>
    Effect.gen(function*() {
      const current = yield* reach(tenantId, guildId, "providers")
      const offers = (provider: RoleProvider) => providers.includes(provider)
      const roles: Array<PaidRole> = []
      for (const wizardRole of current.roles) {
        const found = yield* Effect.option(paidRoles.find(tenantId, guildId, wizardRole.roleId))
        if (Option.isNone(found)) continue // removed since step 2
        const role = found.value
        roles.push(
          yield* paidRoles.put(tenantId, guildId, role.roleId, {
            name: role.name,
            price: role.price,
            graceDays: role.graceDays,
            stripePriceId: offers("stripe") ? role.stripePriceId : null,
            polarProductId: offers("polar") ? role.polarProductId : null,
            sepayPassDays: offers("sepay") ? (wizardRole.days ?? role.sepayPassDays ?? 30) : null
          })
        )
      }
      const setup = yield* paymentSetup.view(tenantId)
      const next = yield* saved(SetupWizard.offerProviders(current, providers, yield* DateTime.now))
      return {
        progress: next,
        statuses: next.offeredProviders.map((provider) => providerStatus(provider, setup, roles, guildId))
      } as const
    })

  /**
   * Completes the setup when the bot can grant and revoke every chosen role;
   * otherwise answers the problems (and nothing is saved).
   */
  const finish = (tenantId: TenantId, guildId: GuildId) =>
    Effect.gen(function*() {
      const current = yield* reach(tenantId, guildId, "done")
      const checked = yield* discord.roleManageability(guildId, current.roles.map((role) => role.roleId))
      const problems = checked.filter((role) => role.problem !== null)
      if (problems.length > 0) {
        return { _tag: "RoleProblems", progress: current, problems } as const
      }
      const next = yield* saved(SetupWizard.complete(current, yield* DateTime.now))
      return { _tag: "Completed", progress: next } as const
    })

  return { progress, chooseFeatures, addRole, rolesDone, offerProviders, finish } as const
})

/**
 * The /setup wizard over its saved progress: each step does its work and saves where the admin is.
 * (Named for its steps: `SetupWizardService` is the Tag's name, `SetupWizard` the pure state machine's.)
 */
export interface SetupWizardSteps {
  /** Where the admin is (the first step when nothing is saved). */
  readonly progress: (tenantId: TenantId, guildId: GuildId) => Effect.Effect<SetupProgress>
  /** Step 1: turns the chosen features on; those refused come back with their remediation. */
  readonly chooseFeatures: (
    tenantId: TenantId,
    guildId: GuildId,
    keys: ReadonlyArray<string>
  ) => Effect.Effect<
    {
      readonly progress: SetupProgress
      readonly enabled: ReadonlyArray<string>
      readonly refused: ReadonlyArray<FeatureRefusal>
    },
    GuildNotFound | TenantNotWritable | SetupStepNotReached
  >
  /** Step 2: sells one more role, and tells whether the bot can manage it. */
  readonly addRole: (
    tenantId: TenantId,
    guildId: GuildId,
    request: SetupRoleRequest
  ) => Effect.Effect<
    { readonly progress: SetupProgress; readonly role: PaidRole; readonly manageability: RoleManageability | null },
    InvalidInput | TenantNotFound | GuildNotFound | PaidRoleLimitReached | SepaySellsVndOnly | SetupStepNotReached
  >
  /** Step 2 done. */
  readonly rolesDone: (tenantId: TenantId, guildId: GuildId) => Effect.Effect<SetupProgress, SetupStepNotReached>
  /** Step 3: the wizard's roles sold through exactly these providers, and what each still lacks. */
  readonly offerProviders: (
    tenantId: TenantId,
    guildId: GuildId,
    providers: ReadonlyArray<RoleProvider>
  ) => Effect.Effect<
    { readonly progress: SetupProgress; readonly statuses: ReadonlyArray<ProviderStatus> },
    TenantNotFound | GuildNotFound | PaidRoleLimitReached | SepaySellsVndOnly | SetupStepNotReached
  >
  /** Completed when the bot can manage every chosen role; otherwise the problems, nothing saved. */
  readonly finish: (tenantId: TenantId, guildId: GuildId) => Effect.Effect<
    | {
      readonly _tag: "RoleProblems"
      readonly progress: SetupProgress
      readonly problems: ReadonlyArray<RoleManageability>
    }
    | { readonly _tag: "Completed"; readonly progress: SetupProgress },
    SetupStepNotReached
  >
}

export class SetupWizardService extends Context.Tag("core/SetupWizardService")<SetupWizardService, SetupWizardSteps>() {
  static readonly layer = Layer.effect(SetupWizardService, make)
}
