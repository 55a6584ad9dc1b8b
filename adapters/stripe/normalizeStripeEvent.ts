import { DateTime, Effect } from "effect"
import type Stripe from "stripe"
import {
  type BillingEvent,
  type BillingSubject,
  type Money,
  moneyOf,
  type PaymentProviderError,
  type PlanCatalogService,
  type StripeGatewayService,
  type StripeSubscriptionSnapshot,
  type TenantId
} from "../../core/index.js"
import { type Metadata, stripeStatus, subjectOf, tenantOf } from "./stripeSubjects.js"

/** What a verified Stripe event means for billing: an event to apply, or a reason to only record it. */
export type NormalizedStripeEvent =
  | { readonly _tag: "Event"; readonly event: BillingEvent }
  | { readonly _tag: "Ignored"; readonly reason: string; readonly tenantId: TenantId | null }

export { stripeStatus } from "./stripeSubjects.js"

export interface NormalizeDependencies {
  readonly retrieveSubscription: StripeGatewayService["retrieveSubscription"]
  /** The subscription whose invoice a payment intent paid; null when it paid none (a one-off charge). */
  readonly subscriptionOfPayment: (paymentIntentId: string) => Effect.Effect<string | null, PaymentProviderError>
  readonly plans: PlanCatalogService
}

const idOf = (value: string | { readonly id: string } | null | undefined): string | null =>
  value === null || value === undefined ? null : typeof value === "string" ? value : value.id

const fromSeconds = (seconds: number) => DateTime.unsafeMake(seconds * 1000)

const ignored = (reason: string, tenantId: TenantId | null = null): NormalizedStripeEvent => ({
  _tag: "Ignored",
  reason,
  tenantId
})

const noSubject = (event: Stripe.Event, what: string, metadata: Metadata) =>
  ignored(
    `${event.type}: ${what} names no Guildhall subject (metadata needs tenant_id with plan_key, or tenant_id, guild_id, role_id and user_id)`,
    tenantOf(metadata)
  )

/** The fields every normalized event shares. */
const common = (event: Stripe.Event, subject: BillingSubject, correlationId: string, amount: Money | null) => ({
  provider: "stripe" as const,
  providerEventId: event.id,
  occurredAt: fromSeconds(event.created),
  subject,
  correlationId,
  amount
})

/**
 * customer.subscription.*: the event's copy may be stale (events arrive out
 * of order), so the subscription is fetched again and its current state is
 * what the event reports.
 */
const subscriptionChanged = (
  event: Stripe.Event,
  subscriptionId: string,
  dependencies: NormalizeDependencies
): Effect.Effect<NormalizedStripeEvent, PaymentProviderError> =>
  Effect.map(dependencies.retrieveSubscription(subscriptionId), (current) => {
    const subject = subjectOf(dependencies.plans, current.metadata, { priceId: current.priceId })
    if (subject === null) return noSubject(event, `subscription ${current.id}`, current.metadata)
    const status = stripeStatus(current.status)
    if (status === null) {
      return ignored(
        `${event.type}: subscription ${current.id} has an unknown status '${current.status}'`,
        subject.tenantId
      )
    }
    return {
      _tag: "Event",
      event: {
        _tag: "subscription.state_changed",
        ...common(event, subject, current.id, null),
        status,
        currentPeriodEnd: current.currentPeriodEnd,
        cancelAtPeriodEnd: current.cancelAtPeriodEnd,
        // The re-fetched object is at least as new as the event, and a later
        // event re-fetches something at least as new again: the event's
        // creation time orders what we apply without trusting its stale copy.
        version: event.created * 1000,
        planKey: subject._tag === "TenantPlan" ? subject.planKey : null
      }
    }
  })

/** invoice.*: the subscription (from `parent.subscription_details`) is fetched for its subject and period. */
const invoiceEvent = (
  event: Stripe.Event,
  invoice: Stripe.Invoice,
  dependencies: NormalizeDependencies,
  toEvent: (current: StripeSubscriptionSnapshot, subject: BillingSubject) => BillingEvent
): Effect.Effect<NormalizedStripeEvent, PaymentProviderError> => {
  const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription)
  if (subscriptionId === null) {
    return Effect.succeed(ignored(`${event.type}: invoice ${invoice.id} is not for a subscription`))
  }
  return Effect.map(dependencies.retrieveSubscription(subscriptionId), (current) => {
    const subject = subjectOf(dependencies.plans, current.metadata, { priceId: current.priceId })
    return subject === null
      ? noSubject(event, `subscription ${current.id}`, current.metadata)
      : { _tag: "Event", event: toEvent(current, subject) }
  })
}

const checkoutEvent = (
  event: Stripe.Event,
  session: Stripe.Checkout.Session,
  plans: PlanCatalogService,
  toEvent: (subject: BillingSubject, correlationId: string, amount: Money | null) => BillingEvent
): NormalizedStripeEvent => {
  const subject = subjectOf(plans, session.metadata, { clientReferenceId: session.client_reference_id })
  if (subject === null) return noSubject(event, `checkout session ${session.id}`, session.metadata)
  return {
    _tag: "Event",
    event: toEvent(subject, idOf(session.subscription) ?? session.id, moneyOf(session.amount_total, session.currency))
  }
}

type MoneyBackEvent = Extract<Stripe.Event, { type: "charge.refunded" | "refund.created" | "charge.dispute.created" }>

/**
 * Refunds and disputes name a charge's payment intent, and (since the basil
 * API versions) a charge no longer names its invoice. The subject is the
 * object's own metadata when it has one; otherwise the invoice the payment
 * intent paid (Stripe's invoice payments) leads to the subscription, which
 * is fetched for its metadata. A payment that paid no subscription invoice
 * is recorded and ignored.
 */
const moneyBackEvent = (
  event: MoneyBackEvent,
  dependencies: NormalizeDependencies
): Effect.Effect<NormalizedStripeEvent, PaymentProviderError> =>
  Effect.gen(function*() {
    const object = event.data.object
    const tag = event.type === "charge.dispute.created" ? "dispute.opened" : "refund.issued"
    const what = event.type === "charge.refunded" ? "charge" : event.type === "refund.created" ? "refund" : "dispute"
    // A charge reports how much of it was refunded; a refund or a dispute is its own amount.
    const minor = event.type === "charge.refunded" ? event.data.object.amount_refunded : event.data.object.amount
    const amount = moneyOf(minor, object.currency)
    const toEvent = (subject: BillingSubject): NormalizedStripeEvent => ({
      _tag: "Event",
      event: { _tag: tag, ...common(event, subject, object.id, amount) }
    })
    const own = subjectOf(dependencies.plans, object.metadata)
    if (own !== null) return toEvent(own)
    const paymentIntentId = idOf(object.payment_intent)
    if (paymentIntentId === null) return noSubject(event, `${what} ${object.id}`, object.metadata)
    const subscriptionId = yield* dependencies.subscriptionOfPayment(paymentIntentId)
    if (subscriptionId === null) {
      return ignored(
        `${event.type}: ${what} ${object.id} has no subject metadata and its payment ${paymentIntentId} paid no subscription invoice`,
        tenantOf(object.metadata)
      )
    }
    const current = yield* dependencies.retrieveSubscription(subscriptionId)
    const subject = subjectOf(dependencies.plans, current.metadata, { priceId: current.priceId })
    return subject === null ? noSubject(event, `subscription ${current.id}`, current.metadata) : toEvent(subject)
  })

/** A verified Stripe event as a BillingEvent, or why it changes nothing. Fails only when a re-fetch fails. */
export const normalizeStripeEvent = (
  event: Stripe.Event,
  dependencies: NormalizeDependencies
): Effect.Effect<NormalizedStripeEvent, PaymentProviderError> => {
  const { plans } = dependencies
  switch (event.type) {
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
    case "customer.subscription.paused":
    case "customer.subscription.resumed":
      return subscriptionChanged(event, event.data.object.id, dependencies)

    case "customer.subscription.trial_will_end": {
      const subscription = event.data.object
      const subject = subjectOf(plans, subscription.metadata, { priceId: subscription.items.data[0]?.price.id ?? null })
      if (subject === null) {
        return Effect.succeed(noSubject(event, `subscription ${subscription.id}`, subscription.metadata))
      }
      if (subscription.trial_end === null) {
        return Effect.succeed(
          ignored(`${event.type}: subscription ${subscription.id} has no trial end`, subject.tenantId)
        )
      }
      return Effect.succeed({
        _tag: "Event",
        event: {
          _tag: "subscription.trial_will_end",
          ...common(event, subject, subscription.id, null),
          trialEnd: fromSeconds(subscription.trial_end)
        }
      })
    }

    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const session = event.data.object
      if (event.type === "checkout.session.completed" && session.payment_status === "unpaid") {
        // A delayed payment method: async_payment_succeeded (or _failed) follows.
        return Effect.succeed(
          ignored(`${event.type}: checkout session ${session.id} is awaiting an asynchronous payment`)
        )
      }
      return Effect.succeed(checkoutEvent(event, session, plans, (subject, correlationId, amount) => ({
        _tag: "checkout.completed",
        ...common(event, subject, correlationId, amount),
        customerId: idOf(session.customer)
      })))
    }

    case "checkout.session.async_payment_failed":
      return Effect.succeed(checkoutEvent(event, event.data.object, plans, (subject, correlationId, amount) => ({
        _tag: "payment.failed",
        ...common(event, subject, correlationId, amount),
        requiresAction: false
      })))

    case "invoice.paid": {
      const invoice = event.data.object
      return invoiceEvent(event, invoice, dependencies, (current, subject) => ({
        _tag: "payment.succeeded",
        ...common(event, subject, current.id, moneyOf(invoice.amount_paid, invoice.currency)),
        paidThrough: current.currentPeriodEnd
      }))
    }

    case "invoice.payment_failed":
    case "invoice.payment_action_required": {
      const invoice = event.data.object
      const requiresAction = event.type === "invoice.payment_action_required"
      return invoiceEvent(event, invoice, dependencies, (current, subject) => ({
        _tag: "payment.failed",
        ...common(event, subject, current.id, moneyOf(invoice.amount_due, invoice.currency)),
        requiresAction
      }))
    }

    case "charge.refunded":
    case "refund.created":
    case "charge.dispute.created":
      return moneyBackEvent(event, dependencies)

    default:
      return Effect.succeed(ignored(`${event.type}: not an event Guildhall acts on`))
  }
}
