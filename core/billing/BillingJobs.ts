import { DateTime, Schema } from "effect"
import type { JobSpec } from "../ports/Jobs.js"
import { BillingEffect } from "./BillingEffect.js"
import { TimerFired } from "./BillingEvent.js"

/**
 * How billing effects become jobs: one job per effect, keyed by the event that
 * produced it and the effect's position, so a redelivered event (recognised
 * as a duplicate before it gets here) or a retried transaction can never
 * enqueue an effect twice.
 */

/** Effect jobs are `billing.<effect tag>`; armed timers are `billing.timer`. */
export const timerJobKind = "billing.timer"
export const effectJobKind = (tag: BillingEffect["_tag"]): string =>
  tag === "ScheduleAt" ? timerJobKind : `billing.${tag}`

const encodeEffect = Schema.encodeSync(BillingEffect)
const encodeTimer = Schema.encodeSync(TimerFired)
export const decodeEffectPayload = Schema.decodeUnknown(BillingEffect)
export const decodeTimerPayload = Schema.decodeUnknown(TimerFired)

export const effectJobs = (
  effects: ReadonlyArray<BillingEffect>,
  source: { readonly provider: string; readonly providerEventId: string },
  now: DateTime.Utc
): ReadonlyArray<JobSpec> =>
  effects.map((effect, index) =>
    effect._tag === "ScheduleAt"
      ? {
        tenantId: effect.event.subject.tenantId,
        kind: timerJobKind,
        payload: encodeTimer(effect.event),
        runAt: DateTime.max(effect.at, now),
        // A timer's own event id already names the subscription, the timer and the revision that armed it.
        idempotencyKey: `${timerJobKind}:${effect.event.providerEventId}`
      }
      : {
        tenantId: effect.tenantId,
        kind: effectJobKind(effect._tag),
        payload: encodeEffect(effect),
        runAt: now,
        idempotencyKey: `${source.provider}:${source.providerEventId}:${index}`
      }
  )
