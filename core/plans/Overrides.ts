import { Context, DateTime, Effect, Layer, Option, Schema } from "effect"
import { GuildId, TenantId } from "../ids.js"
import { Crypto } from "../ports/Crypto.js"
import { EntitlementRepo } from "../ports/EntitlementRepo.js"
import type { GuildNotFound, TenantNotFound } from "../tenancy/errors.js"
import { Override, OverrideId } from "./Override.js"
import { PartialLimits, PlanKey } from "./Plan.js"
import { PlanCatalog, type UnknownPlan } from "./PlanCatalog.js"

/** What the operator sends to grant an override. */
export const OverrideInput = Schema.Struct({
  tenantId: TenantId,
  guildId: Schema.optionalWith(Schema.NullOr(GuildId), { default: () => null }),
  planKey: Schema.optionalWith(Schema.NullOr(PlanKey), { default: () => null }),
  features: Schema.optionalWith(Schema.Array(Schema.NonEmptyTrimmedString), { default: () => [] }),
  limits: Schema.optionalWith(PartialLimits, { default: () => ({}) }),
  reason: Schema.String.pipe(
    Schema.minLength(1, { message: () => "Say why (the reason is kept for support and audits)" }),
    Schema.maxLength(500)
  ),
  expiresAt: Schema.optionalWith(Schema.NullOr(Schema.DateTimeUtc), { default: () => null })
})
export type OverrideInput = typeof OverrideInput.Type

export class OverrideNotFound extends Schema.TaggedError<OverrideNotFound>()("OverrideNotFound", {
  overrideId: Schema.String,
  message: Schema.String
}) {
  static of(overrideId: string) {
    return new OverrideNotFound({ overrideId, message: `No override with id ${overrideId} for this tenant` })
  }
}

const make = Effect.gen(function*() {
  const repo = yield* EntitlementRepo
  const catalog = yield* PlanCatalog
  const crypto = yield* Crypto

  const grant = (input: OverrideInput) =>
    Effect.gen(function*() {
      if (input.planKey !== null) yield* catalog.get(input.planKey)
      const override = Override.make({
        ...input,
        id: OverrideId.make(yield* crypto.uuid),
        createdAt: yield* DateTime.now
      })
      const stored = yield* repo.createOverride(override)
      yield* Effect.logInfo("override granted").pipe(
        Effect.annotateLogs({ tenantId: input.tenantId, guildId: input.guildId, overrideId: stored.id })
      )
      return stored
    })

  const revoke = (tenantId: TenantId, id: OverrideId) =>
    Effect.flatMap(
      repo.removeOverride(tenantId, id),
      Option.match({ onNone: () => Effect.fail(OverrideNotFound.of(id)), onSome: Effect.succeed })
    )

  return { grant, list: repo.listOverrides, revoke } as const
})

/** The operator's hand-made grants: a plan by hand, extra flags, raised limits, with an optional expiry. */
export interface OverridesService {
  /** Grants an override to a tenant (or one of its guilds); a plan it names must exist. */
  readonly grant: (input: OverrideInput) => Effect.Effect<Override, TenantNotFound | GuildNotFound | UnknownPlan>
  /** The tenant's overrides. */
  readonly list: (tenantId: TenantId) => Effect.Effect<ReadonlyArray<Override>>
  /** Removes one of the tenant's overrides. */
  readonly revoke: (tenantId: TenantId, id: OverrideId) => Effect.Effect<Override, OverrideNotFound>
}

export class Overrides extends Context.Tag("core/Overrides")<Overrides, OverridesService>() {
  static readonly layer = Layer.effect(Overrides, make)
}
