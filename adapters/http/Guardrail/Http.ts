import { HttpApiBuilder } from "@effect/platform"
import { Effect, Layer } from "effect"
import { randomUUID } from "node:crypto"
import { type CommandContext, type Explanation, Guardrail, GuildNotFound } from "../../../core/index.js"
import { Api } from "../Api.js"
import { forGuild } from "../Policy.js"
import type { ServedGroup } from "../ServedGroup.js"
import type { ExplanationView, GuardrailApi } from "./Api.js"

const toExplanationView = (explanation: Explanation): typeof ExplanationView.Type => ({
  decision: explanation.decision._tag === "Allow"
    ? { _tag: "Allow", ruleAllowed: explanation.decision.ruleAllowed }
    : {
      _tag: "Deny",
      stage: explanation.decision.stage,
      code: explanation.decision.code,
      message: explanation.decision.message,
      remediation: explanation.decision.remediation,
      context: explanation.decision.context
    },
  stages: explanation.stages,
  stoppedAt: explanation.stoppedAt,
  rule: explanation.rule
})

const handlers = (group: ServedGroup<typeof GuardrailApi>) =>
  Effect.map(Guardrail, (guardrail) =>
    group.handle(
      "explain",
      forGuild(({ asset: { guild }, guildId }, { payload }) =>
        Effect.gen(function*() {
          // The guardrail reads the policy of whichever tenant has the guild installed now: a guild this
          // tenant removed (and another may have installed since) has nothing of this tenant's to explain.
          if (guild.status !== "installed") return yield* GuildNotFound.of(guildId)
          const ctx: CommandContext = {
            ...payload,
            tenantId: guild.tenantId,
            guildId,
            // Explaining charges nothing, so the interaction id (the quota's idempotency key) is never used.
            interactionId: `explain-${randomUUID()}`
          }
          return toExplanationView(yield* guardrail.explain(ctx))
        })
      )
    ))

export const HttpGuardrailLive = Layer.merge(
  HttpApiBuilder.group(Api, "guardrail", handlers),
  HttpApiBuilder.group(Api, "assetsGuardrail", handlers)
)
