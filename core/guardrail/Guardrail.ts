import { Context, DateTime, Effect, Layer, Option } from "effect"
import { FeatureRegistry } from "../features/FeatureRegistry.js"
import type { PlanCatalog } from "../plans/PlanCatalog.js"
import type { PolicyStore } from "../ports/PolicyStore.js"
import { QuotaStore } from "../ports/QuotaStore.js"
import type { CommandContext } from "./CommandContext.js"
import type { Decision } from "./Decision.js"
import { explain, explainBeforeStages, type Explanation } from "./explain.js"
import { decide } from "./internal/decide.js"
import { PolicyCache } from "./PolicyCache.js"
import { quotaCharges, quotaDenied } from "./quotaStage.js"
import { guildNotInstalled } from "./stages.js"

export interface GuardrailService {
  /**
   * The decision before a command runs: stages 1–5 from the guild's cached
   * snapshot, then, if allowed, one all-or-nothing quota charge (the guild's
   * commands per minute and the command's per-user cooldown) keyed by the
   * interaction id, so a retried interaction is charged once. A denial at
   * any stage consumes nothing.
   */
  readonly check: (ctx: CommandContext) => Effect.Effect<Decision>
  /** Every stage's verdict for `ctx`, from the same snapshot; consumes nothing. */
  readonly explain: (ctx: CommandContext) => Effect.Effect<Explanation>
}

const make = Effect.gen(function*() {
  const cache = yield* PolicyCache
  const registry = yield* FeatureRegistry
  const quotas = yield* QuotaStore

  const check = (ctx: CommandContext) =>
    Effect.gen(function*() {
      const policy = yield* cache.policy(ctx.guildId)
      if (Option.isNone(policy)) return guildNotInstalled(ctx)
      const decision = decide(policy.value, ctx)
      if (decision._tag === "Deny") return decision
      // decide allowed, so the command resolved.
      const resolved = registry.resolveCommand(ctx.commandPath)!
      const snapshot = policy.value.snapshot
      const now = yield* DateTime.now
      const result = yield* quotas.consume({
        tenantId: snapshot.tenantId,
        guildId: ctx.guildId,
        charges: quotaCharges(resolved, snapshot, ctx),
        idempotencyKey: ctx.interactionId,
        now
      })
      return result._tag === "Granted" ? decision : quotaDenied(resolved, result, now)
    })

  const explainContext = (ctx: CommandContext) =>
    Effect.map(cache.get(ctx.guildId), (snapshot) =>
      Option.isNone(snapshot)
        ? explainBeforeStages(guildNotInstalled(ctx))
        : explain(registry, snapshot.value, ctx))

  return { check, explain: explainContext } satisfies GuardrailService
})

export class Guardrail extends Context.Tag("core/Guardrail")<Guardrail, GuardrailService>() {
  /** The guardrail over a PolicyCache it builds (also provided, so writers in this process can invalidate). */
  static readonly layer: Layer.Layer<
    Guardrail | PolicyCache,
    never,
    PolicyStore | PlanCatalog | FeatureRegistry | QuotaStore
  > = Layer.effect(Guardrail, make).pipe(Layer.provideMerge(PolicyCache.layer))
}
