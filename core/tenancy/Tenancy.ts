import { Context, DateTime, Effect, Layer, Option } from "effect"
import { type InvalidInput, validate } from "../errors.js"
import type { GuildId } from "../ids.js"
import { TenantId } from "../ids.js"
import type { Plan, PlanKey } from "../plans/Plan.js"
import { defaultPlanKey, PlanCatalog, type UnknownPlan } from "../plans/PlanCatalog.js"
import { Crypto } from "../ports/Crypto.js"
import { GuildRepo } from "../ports/GuildRepo.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import { GuildNotFound, TenantNotFound } from "./errors.js"
import { type Guild, GuildName } from "./Guild.js"
import { type GuildConfigLayer, type GuildSettings, platformDefaults, resolveSettings } from "./GuildConfig.js"
import { decideInstall, type InstallError, type InstallRequest } from "./Install.js"
import { Tenant, type TenantMode, TenantName } from "./Tenant.js"

export interface CreateTenant {
  readonly name: string
  readonly mode?: TenantMode | undefined
  readonly planKey?: PlanKey | undefined
  readonly guildDefaults?: GuildConfigLayer | undefined
}

/** A guild as the API shows it: the row, the tenant's plan, and the effective settings. */
export interface Asset {
  readonly guild: Guild
  readonly plan: Plan
  readonly settings: GuildSettings
}

const make = Effect.gen(function*() {
  const tenants = yield* TenantRepo
  const guilds = yield* GuildRepo
  const catalog = yield* PlanCatalog
  const crypto = yield* Crypto

  const getTenant = (id: TenantId) =>
    Effect.flatMap(
      tenants.findById(id),
      Option.match({ onNone: () => Effect.fail(TenantNotFound.of(id)), onSome: Effect.succeed })
    )

  const createTenant = (input: CreateTenant) =>
    Effect.gen(function*() {
      const name = yield* validate(TenantName)(input.name)
      const plan = yield* catalog.get(input.planKey ?? defaultPlanKey)
      const tenant = Tenant.make({
        id: TenantId.make(yield* crypto.uuid),
        name,
        mode: input.mode ?? "hosted",
        status: "active",
        planKey: plan.key,
        guildDefaults: input.guildDefaults ?? {},
        createdAt: yield* DateTime.now
      })
      yield* tenants.insert(tenant)
      yield* Effect.logInfo("tenant created").pipe(Effect.annotateLogs({ tenantId: tenant.id, plan: plan.key }))
      return tenant
    })

  const assetOf = (tenant: Tenant, guild: Guild) =>
    Effect.map(catalog.get(tenant.planKey), (plan): Asset => ({
      guild,
      plan,
      settings: resolveSettings({
        platform: platformDefaults,
        plan: plan.guildDefaults,
        tenant: tenant.guildDefaults,
        guild: guild.config
      })
    }))

  const listAssets = (tenantId: TenantId) =>
    Effect.gen(function*() {
      const tenant = yield* getTenant(tenantId)
      const rows = yield* guilds.listByTenant(tenantId)
      return yield* Effect.forEach(rows, (guild) => assetOf(tenant, guild))
    })

  /** Within one tenant when `tenantId` is given (a tenant's own view); across tenants otherwise. */
  const getAsset = (guildId: GuildId, tenantId: Option.Option<TenantId>) =>
    Effect.gen(function*() {
      const found = yield* Option.match(tenantId, {
        onNone: () => guilds.findAnyTenant(guildId),
        onSome: (id) => guilds.find(id, guildId)
      })
      if (Option.isNone(found)) return yield* GuildNotFound.of(guildId)
      return yield* assetOf(yield* getTenant(found.value.tenantId), found.value)
    })

  const installGuild = (request: InstallRequest) =>
    Effect.gen(function*() {
      const name = yield* validate(GuildName)(request.name)
      const now = yield* DateTime.now
      const outcome = yield* guilds.install(request.tenantId, request.guildId, (state) =>
        Effect.flatMap(catalog.get(state.tenant.planKey), (plan) =>
          decideInstall(state, { ...request, name }, plan, now)))
      yield* Effect.logInfo(`guild ${outcome._tag.toLowerCase()}`).pipe(
        Effect.annotateLogs({ tenantId: request.tenantId, guildId: request.guildId })
      )
      const tenant = yield* getTenant(request.tenantId)
      return { outcome: outcome._tag, asset: yield* assetOf(tenant, outcome.guild) }
    })

  const removeGuild = (tenantId: TenantId, guildId: GuildId) =>
    Effect.gen(function*() {
      const removed = yield* guilds.remove(tenantId, guildId, yield* DateTime.now)
      if (Option.isNone(removed)) return yield* GuildNotFound.of(guildId)
      yield* Effect.logInfo("guild removed").pipe(Effect.annotateLogs({ tenantId, guildId }))
      return yield* assetOf(yield* getTenant(tenantId), removed.value)
    })

  return { createTenant, getTenant, listAssets, getAsset, installGuild, removeGuild } as const
})

/** Tenants and their guilds: the application service the API and the Discord runtime call. */
export interface TenancyService {
  /** A new tenant on `planKey` (default: the catalog's default plan). */
  readonly createTenant: (input: CreateTenant) => Effect.Effect<Tenant, UnknownPlan | InvalidInput>
  readonly getTenant: (id: TenantId) => Effect.Effect<Tenant, TenantNotFound>
  /** The tenant's guilds, each with the tenant's plan and its effective settings. */
  readonly listAssets: (tenantId: TenantId) => Effect.Effect<Array<Asset>, TenantNotFound | UnknownPlan>
  /** One guild; with a tenant, only if it is that tenant's (another's answers GuildNotFound). */
  readonly getAsset: (
    guildId: GuildId,
    tenantId: Option.Option<TenantId>
  ) => Effect.Effect<Asset, TenantNotFound | GuildNotFound | UnknownPlan>
  /** Installs, restores or updates a guild for its tenant, as `decideInstall` rules. */
  readonly installGuild: (request: InstallRequest) => Effect.Effect<
    { outcome: "Installed" | "Restored" | "Updated"; asset: Asset },
    TenantNotFound | UnknownPlan | InstallError | InvalidInput
  >
  /** Marks the tenant's guild removed and answers it as it is now. */
  readonly removeGuild: (
    tenantId: TenantId,
    guildId: GuildId
  ) => Effect.Effect<Asset, TenantNotFound | GuildNotFound | UnknownPlan>
}

export class Tenancy extends Context.Tag("core/Tenancy")<Tenancy, TenancyService>() {
  static readonly layer = Layer.effect(Tenancy, make)
}
