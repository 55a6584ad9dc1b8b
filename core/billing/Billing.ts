import { Context, DateTime, Effect, Layer, Option } from "effect"
import type { TenantId } from "../ids.js"
import { JobKind } from "../jobs/JobKind.js"
import type { PlanKey } from "../plans/Plan.js"
import { PlanCatalog, type UnknownPlan } from "../plans/PlanCatalog.js"
import { BillingLedger, type DecideContext, type WebhookReceipt } from "../ports/BillingLedger.js"
import type { JobSpec } from "../ports/Jobs.js"
import { type PaymentProviderError, StripeGateway } from "../ports/PaymentGateways.js"
import type { CheckoutLink } from "../ports/PaymentGateways.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import { TenantNotFound } from "../tenancy/errors.js"
import type { BillingEffect } from "./BillingEffect.js"
import { type BillingEvent, TimerFired } from "./BillingEvent.js"
import { billingEffectKinds } from "./BillingJobs.js"
import { type BillingSubject, subjectKey } from "./BillingSubject.js"
import {
  defaultRoleGraceDays,
  type DunningPolicy,
  dunningPolicyForPlan,
  dunningPolicyForRole,
  freePlanKey
} from "./DunningPolicy.js"
import { NoBillingAccount, PlanNotForSale } from "./errors.js"
import { Subscription } from "./Subscription.js"
import type { SubscriptionState } from "./SubscriptionState.js"
import type { VerifiedWebhook } from "./Webhook.js"

/** A tenant's plan subscription as support and the tenant's admins see it. */
export interface TenantBilling {
  readonly tenantId: TenantId
  readonly planKey: PlanKey
  readonly tenantStatus: string
  readonly subscription: Option.Option<SubscriptionState>
}

export type PlanCheckout =
  | { readonly _tag: "Checkout"; readonly link: CheckoutLink }
  /** The tenant already pays through Stripe: the subscription moved to the new plan's price (prorated). */
  | { readonly _tag: "PlanChanged"; readonly subscriptionId: string }

const make = Effect.gen(function*() {
  const ledger = yield* BillingLedger
  const catalog = yield* PlanCatalog
  const tenants = yield* TenantRepo
  const stripe = yield* StripeGateway

  /**
   * The dunning durations that apply to the subject: its plan's, or its paid role's (the ledger reads
   * the role's grace days in its transaction; a role no longer configured gets the default).
   */
  const policyFor = (subject: BillingSubject, context: DecideContext): DunningPolicy =>
    subject._tag === "TenantPlan"
      ? Option.fromNullable(catalog.plansByKey.get(subject.planKey)).pipe(
        Option.match({
          onNone: () => dunningPolicyForPlan(catalog.plansByKey.get(freePlanKey) ?? catalog.all[0]!),
          onSome: dunningPolicyForPlan
        })
      )
      : dunningPolicyForRole(Option.getOrElse(context.paidRoleGraceDays, () => defaultRoleGraceDays))

  /**
   * Runs the event through its subscription's state machine in the ledger's
   * one transaction, enqueuing the effects' jobs and `jobs` with it.
   */
  const apply = (receipt: WebhookReceipt, event: BillingEvent, jobs: ReadonlyArray<JobSpec> = []) =>
    Effect.gen(function*() {
      const now = yield* DateTime.now
      const outcome = yield* ledger.record({
        receipt,
        outcome: "applied",
        note: null,
        transition: Option.some({
          subject: event.subject,
          decide: (current, context) => {
            const transition = Subscription.transition(current, event, policyFor(event.subject, context), now)
            return { transition, jobs: effectJobs(transition.effects, event, now) }
          }
        }),
        jobs
      })
      yield* Effect.logInfo(`billing: ${event._tag} ${outcome}`).pipe(
        Effect.annotateLogs({
          provider: receipt.provider,
          eventId: receipt.providerEventId,
          tenantId: event.subject.tenantId,
          subject: subjectKey(event.subject)
        })
      )
      return outcome
    })

  /**
   * Records a verified webhook: an event is applied to its subscription, an
   * ignored one only recorded. "duplicate" when the provider sent it before:
   * then nothing is written, and it is acknowledged all the same.
   */
  const ingest = (webhook: VerifiedWebhook): Effect.Effect<"recorded" | "duplicate"> =>
    webhook._tag === "Event"
      ? apply(webhook.receipt, webhook.event)
      : ledger.record({
        receipt: webhook.receipt,
        outcome: "ignored",
        note: webhook.reason,
        transition: Option.none(),
        jobs: []
      }).pipe(
        Effect.tap((outcome) =>
          Effect.logInfo(`billing: ${webhook.receipt.type} ignored (${webhook.reason}) ${outcome}`).pipe(
            Effect.annotateLogs({ provider: webhook.receipt.provider, eventId: webhook.receipt.providerEventId })
          )
        )
      )

  /** A dunning or period timer came due (run by the job worker). */
  const fireTimer = (event: TimerFired) =>
    Effect.flatMap(DateTime.now, (now) =>
      apply({
        provider: "guildhall",
        providerEventId: event.providerEventId,
        type: event._tag,
        tenantId: event.subject.tenantId,
        payload: JSON.stringify({ timer: event.timer, armedAtRevision: event.armedAtRevision }),
        receivedAt: now
      }, event))

  const tenantBilling = (tenantId: TenantId): Effect.Effect<TenantBilling, TenantNotFound> =>
    Effect.gen(function*() {
      const tenant = yield* tenants.findById(tenantId)
      if (Option.isNone(tenant)) return yield* TenantNotFound.of(tenantId)
      return {
        tenantId,
        planKey: tenant.value.planKey,
        tenantStatus: tenant.value.status,
        subscription: yield* ledger.findSubscription(
          tenantId,
          subjectKey({ _tag: "TenantPlan", tenantId, planKey: tenant.value.planKey })
        )
      }
    })

  /**
   * Buys `planKey` for the tenant: a Stripe Checkout link with the plan's
   * trial, or, when the tenant already has a live Stripe subscription, a
   * prorated move of that subscription to the plan's price.
   */
  const planCheckout = (
    tenantId: TenantId,
    planKey: string,
    urls: { readonly successUrl: string; readonly cancelUrl: string }
  ): Effect.Effect<PlanCheckout, TenantNotFound | UnknownPlan | PlanNotForSale | PaymentProviderError> =>
    Effect.gen(function*() {
      const plan = yield* catalog.get(planKey)
      if (plan.stripePriceId === null) return yield* PlanNotForSale.of(plan.key)
      const { subscription } = yield* tenantBilling(tenantId)
      const live = Option.filter(
        subscription,
        (state) => state.provider === "stripe" && !["pending", "ended", "refunded"].includes(state.status)
      )
      if (Option.isSome(live)) {
        yield* stripe.changePlan({ subscriptionId: live.value.correlationId, priceId: plan.stripePriceId })
        return { _tag: "PlanChanged", subscriptionId: live.value.correlationId } as const
      }
      const link = yield* stripe.planCheckout({
        tenantId,
        planKey: plan.key,
        priceId: plan.stripePriceId,
        customerId: Option.getOrNull(Option.flatMap(subscription, (state) => Option.fromNullable(state.customerId))),
        trialDays: plan.trialDays,
        ...urls
      })
      return { _tag: "Checkout", link } as const
    })

  /** The Stripe customer portal for the tenant (cards, invoices, cancellation). */
  const portal = (tenantId: TenantId, returnUrl: string) =>
    Effect.gen(function*() {
      const { subscription } = yield* tenantBilling(tenantId)
      const customerId = Option.flatMap(subscription, (state) => Option.fromNullable(state.customerId))
      if (Option.isNone(customerId)) return yield* NoBillingAccount.instance
      return yield* stripe.portal({ customerId: customerId.value, returnUrl })
    })

  return { ingest, apply, fireTimer, tenantBilling, planCheckout, portal } as const
})

/** Payments in, subscriptions moved, effects out as jobs; and the tenant's plan purchase. */
export interface BillingService {
  /**
   * Records a verified webhook: an event is applied to its subscription, an
   * ignored one only recorded. "duplicate" when the provider sent it before.
   */
  readonly ingest: (webhook: VerifiedWebhook) => Effect.Effect<"recorded" | "duplicate">
  /**
   * Runs the event through its subscription's state machine in the ledger's
   * one transaction, enqueuing the effects' jobs and `jobs` with it.
   */
  readonly apply: (
    receipt: WebhookReceipt,
    event: BillingEvent,
    jobs?: ReadonlyArray<JobSpec>
  ) => Effect.Effect<"recorded" | "duplicate">
  /** A dunning or period timer came due (run by the job worker). */
  readonly fireTimer: (event: TimerFired) => Effect.Effect<"recorded" | "duplicate">
  /** The tenant's plan subscription as support and the tenant's admins see it. */
  readonly tenantBilling: (tenantId: TenantId) => Effect.Effect<TenantBilling, TenantNotFound>
  /**
   * Buys `planKey` for the tenant: a Stripe Checkout link, or a prorated move
   * of the tenant's live Stripe subscription to the plan's price.
   */
  readonly planCheckout: (
    tenantId: TenantId,
    planKey: string,
    urls: { readonly successUrl: string; readonly cancelUrl: string }
  ) => Effect.Effect<PlanCheckout, TenantNotFound | UnknownPlan | PlanNotForSale | PaymentProviderError>
  /** The Stripe customer portal for the tenant (cards, invoices, cancellation). */
  readonly portal: (
    tenantId: TenantId,
    returnUrl: string
  ) => Effect.Effect<{ readonly url: string }, TenantNotFound | PaymentProviderError | NoBillingAccount>
}

export class Billing extends Context.Tag("core/Billing")<Billing, BillingService>() {
  static readonly layer = Layer.effect(Billing, make)
}

/** An armed dunning or period timer: fired into its subscription when due. */
export const billingTimerKind = JobKind.make({
  kind: "billing.timer",
  payload: TimerFired,
  handle: (event) => Effect.flatMap(Billing, (billing) => Effect.asVoid(billing.fireTimer(event)))
})

/**
 * How billing effects become jobs: one job per effect, keyed by the event that
 * produced it and the effect's position, so a redelivered event (recognised
 * as a duplicate before it gets here) or a retried transaction can never
 * enqueue an effect twice. A ScheduleAt arms a billing.timer job.
 */
export const effectJobs = (
  effects: ReadonlyArray<BillingEffect>,
  source: { readonly provider: string; readonly providerEventId: string },
  now: DateTime.Utc
): ReadonlyArray<JobSpec> =>
  effects.map((effect, index) =>
    effect._tag === "ScheduleAt"
      ? billingTimerKind.spec({
        tenantId: effect.event.subject.tenantId,
        payload: effect.event,
        runAt: DateTime.max(effect.at, now),
        // A timer's own event id already names the subscription, the timer and the revision that armed it.
        idempotencyKey: `${billingTimerKind.kind}:${effect.event.providerEventId}`
      })
      : billingEffectKinds[effect._tag].spec({
        tenantId: effect.tenantId,
        payload: effect,
        runAt: now,
        idempotencyKey: `${source.provider}:${source.providerEventId}:${index}`
      })
  )
