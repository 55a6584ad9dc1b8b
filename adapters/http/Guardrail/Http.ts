import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { randomUUID } from "node:crypto"
import { type CommandContext, type Explanation, Guardrail, GuildNotFound } from "../../../core/index.js"
import { heldGuild } from "../Access.js"
import { Api } from "../Api.js"
import type { ExplanationView } from "./Api.js"

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

export const GuardrailLive = HttpApiBuilder.group(
  Api,
  "guardrail",
  (handlers) =>
    Effect.map(Guardrail, (guardrail) =>
      handlers.handle("explain", ({ path, payload }) =>
        Effect.gen(function*() {
          const guild = yield* heldGuild(path.guildId)
          // The guardrail reads the policy of whichever tenant has the guild installed now: a guild this
          // tenant removed (and another may have installed since) has nothing of this tenant's to explain.
          if (guild.status !== "installed") return yield* GuildNotFound.of(path.guildId)
          const ctx: CommandContext = {
            ...payload,
            tenantId: guild.tenantId,
            guildId: path.guildId,
            // Explaining charges nothing, so the interaction id (the quota's idempotency key) is never used.
            interactionId: `explain-${randomUUID()}`
          }
          return toExplanationView(yield* guardrail.explain(ctx))
        })))
)
