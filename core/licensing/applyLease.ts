import { DateTime, Effect } from "effect"
import { canonicalJson } from "../bot/DiscordCommandJson.js"
import { Override, OverrideId } from "../plans/Override.js"
import { limitKeys, type PartialLimits } from "../plans/Plan.js"
import { PlanCatalog } from "../plans/PlanCatalog.js"
import { Crypto } from "../ports/Crypto.js"
import { EntitlementRepo } from "../ports/EntitlementRepo.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import type { Lease } from "./Lease.js"

// What a verified lease does to a self-host install's one tenant: its plan,
// its read-only switch, and the lease's own flags and limits as an override.

const sameItems = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) =>
  a.length === b.length && [...a].sort().every((item, i) => item === [...b].sort()[i])

/** The steps SelfHostLicense takes on the one tenant as its standing changes. */
export const makeLeaseApplier = Effect.gen(function*() {
  const tenants = yield* TenantRepo
  const crypto = yield* Crypto
  const entitlements = yield* EntitlementRepo
  const catalog = yield* PlanCatalog

  /** The one tenant gets the lease's plan and is writable; a degraded install is read-only. */
  const setTenant = (changes: { readonly planKey?: Lease["plan"]; readonly status: "active" | "read_only" }) =>
    Effect.gen(function*() {
      const [tenant] = yield* tenants.list({ limit: 1 })
      if (tenant === undefined) return
      if (tenant.status === changes.status && (changes.planKey === undefined || tenant.planKey === changes.planKey)) {
        return
      }
      yield* tenants.update(tenant.id, changes)
    })

  /**
   * The lease's own flags and limits, as one tenant-wide override (reason
   * "license <id>"): what the operator licensed holds even where this
   * install's plan catalog differs from the server's. Replaced when the lease
   * grants something else; untouched while it grants the same.
   */
  const applyGrant = (lease: Lease) =>
    Effect.gen(function*() {
      const [tenant] = yield* tenants.list({ limit: 1 })
      if (tenant === undefined) return
      const reason = `license ${lease.licenseId}`
      const limits = Object.fromEntries(
        Object.entries(lease.limits).filter(([key]) => (limitKeys as ReadonlyArray<string>).includes(key))
      ) as PartialLimits
      const granted = (yield* entitlements.listOverrides(tenant.id)).filter((o) => o.reason.startsWith("license "))
      const current = granted.length === 1 ? granted[0]! : undefined
      if (
        current !== undefined && current.reason === reason && current.guildId === null &&
        sameItems(current.features, lease.flags) && canonicalJson(current.limits) === canonicalJson(limits)
      ) return
      for (const old of granted) yield* entitlements.removeOverride(tenant.id, old.id)
      yield* entitlements.createOverride(
        new Override({
          id: OverrideId.make(yield* crypto.uuid),
          tenantId: tenant.id,
          guildId: null,
          planKey: null,
          features: lease.flags.filter((flag) => flag.trim() !== ""),
          limits,
          reason,
          expiresAt: null,
          createdAt: yield* DateTime.now
        })
      ).pipe(Effect.orDie)
    })

  /** The lease's plan when this install knows it; otherwise the tenant keeps its plan and the grant carries the rest. */
  const knownPlan = (lease: Lease) =>
    Effect.match(catalog.get(lease.plan), {
      onFailure: () => undefined,
      onSuccess: (plan) => plan.key
    })

  return { setTenant, applyGrant, knownPlan } as const
})
