import { DateTime } from "effect"
import type { ResolvedCommand } from "../features/FeatureRegistry.js"
import type { Charge, ConsumeResult } from "../ports/QuotaStore.js"
import type { CommandContext } from "./CommandContext.js"
import type { Deny } from "./Decision.js"
import type { PolicySnapshot } from "./PolicySnapshot.js"
import { deny, slash } from "./stages.js"

/** Stage 6 of the guardrail: the charges the Guardrail service takes after stages 1–5 allow, and their denials. */

/** Stage 6's charges: one command against the guild's per-minute limit, and the command's per-user cooldown. */
export const quotaCharges = (
  resolved: ResolvedCommand,
  snapshot: PolicySnapshot,
  ctx: CommandContext
): ReadonlyArray<Charge> => {
  const commands: Charge = {
    meter: "commands",
    scopeKey: ctx.guildId,
    window: "minute",
    limit: snapshot.entitlements.limits.commandsPerMinute,
    amount: 1
  }
  const seconds = resolved.requirements.cooldownSeconds
  return seconds > 0
    ? [commands, { meter: cooldownMeter(resolved), scopeKey: ctx.userId, window: { seconds }, limit: 1, amount: 1 }]
    : [commands]
}

export const cooldownMeter = (resolved: ResolvedCommand) => `cooldown:${resolved.key}`

const waitWording = (resetsAt: DateTime.Utc | null, now: DateTime.Utc) => {
  if (resetsAt === null) return "This limit does not reset"
  const seconds = Math.max(1, Math.ceil((resetsAt.epochMillis - now.epochMillis) / 1000))
  return `Try again in ${seconds}s`
}

/** Stage 6's denial: the guild's command limit, or the member's cooldown on this command. */
export const quotaDenied = (
  resolved: ResolvedCommand,
  exhausted: Extract<ConsumeResult, { readonly _tag: "Exhausted" }>,
  now: DateTime.Utc
): Deny => {
  const context = {
    meter: exhausted.meter,
    limit: exhausted.limit,
    used: exhausted.used,
    resetsAt: exhausted.resetsAt === null ? null : DateTime.formatIso(exhausted.resetsAt)
  }
  return exhausted.meter === cooldownMeter(resolved)
    ? deny(
      "quota",
      "COOLDOWN",
      `${slash(resolved)} is cooling down for you`,
      waitWording(exhausted.resetsAt, now),
      context
    )
    : deny(
      "quota",
      "QUOTA_EXHAUSTED",
      `This server has used its ${exhausted.limit} commands for this minute`,
      `${waitWording(exhausted.resetsAt, now)}; an admin can run /upgrade for a higher limit`,
      context
    )
}
