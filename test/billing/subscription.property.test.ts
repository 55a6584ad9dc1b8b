import { describe, expect, it } from "@effect/vitest"
import { DateTime, FastCheck, Option, Schema } from "effect"
import {
  type BillingEffect,
  type BillingEvent,
  type BillingSubject,
  type DunningPolicy,
  GuildId,
  orderKey,
  PlanKey,
  RoleId,
  sameSubscription,
  Subscription,
  SubscriptionState,
  TenantId,
  type TimerFired,
  UserId
} from "../../core/index.js"

const hour = 3_600_000
const day = 24 * hour
const t0 = Date.UTC(2026, 0, 1)
const at = (millis: number) => DateTime.unsafeMake(millis)

const tenantId = TenantId.make("0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b")
const subjects: Record<BillingSubject["_tag"], BillingSubject> = {
  TenantPlan: { _tag: "TenantPlan", tenantId, planKey: PlanKey.make("pro") },
  MemberRole: {
    _tag: "MemberRole",
    tenantId,
    guildId: GuildId.make("100000000000000001"),
    roleId: RoleId.make("200000000000000001"),
    userId: UserId.make("300000000000000001")
  }
}

/** What one provider event is, before it is given its subject, key and id. */
type Draft =
  | { readonly type: "checkout" }
  | { readonly type: "paid"; readonly periodDays: number | null }
  | { readonly type: "failed"; readonly requiresAction: boolean }
  | {
    readonly type: "changed"
    readonly status: "incomplete" | "trialing" | "active" | "past_due" | "paused" | "ended"
    readonly cancelAtPeriodEnd: boolean
    readonly periodDays: number | null
    readonly planKey: "pro" | "team" | null
  }
  | { readonly type: "trial_will_end" }
  | { readonly type: "refund" }
  | { readonly type: "dispute" }

const rare = <A>(arbitrary: FastCheck.Arbitrary<A>) => ({ arbitrary, weight: 1 })
const often = <A>(arbitrary: FastCheck.Arbitrary<A>) => ({ arbitrary, weight: 6 })

/** Stripe- or Polar-like subscription events: mostly status changes and payments; refunds and disputes now and then. */
const subscriptionDraft: FastCheck.Arbitrary<Draft> = FastCheck.oneof(
  rare(FastCheck.constant({ type: "checkout" as const })),
  often(FastCheck.record({ type: FastCheck.constant("paid" as const), periodDays: FastCheck.constantFrom(null, 30) })),
  often(FastCheck.record({ type: FastCheck.constant("failed" as const), requiresAction: FastCheck.boolean() })),
  {
    weight: 10,
    arbitrary: FastCheck.record({
      type: FastCheck.constant("changed" as const),
      status: FastCheck.constantFrom(...(["incomplete", "trialing", "active", "past_due", "paused", "ended"] as const)),
      cancelAtPeriodEnd: FastCheck.boolean(),
      periodDays: FastCheck.constantFrom(null, 30, 365),
      planKey: FastCheck.constantFrom(...([null, "pro", "team"] as const))
    })
  },
  rare(FastCheck.constant({ type: "trial_will_end" as const })),
  rare(FastCheck.constant({ type: "refund" as const })),
  rare(FastCheck.constant({ type: "dispute" as const }))
)

/** SePay passes: payments of a number of days (SePay has no subscriptions, refunds or disputes). */
const passDraft: FastCheck.Arbitrary<Draft> = FastCheck.record({
  type: FastCheck.constant("paid" as const),
  periodDays: FastCheck.constantFrom(1, 7, 30)
})

const build =
  (subject: BillingSubject, provider: "stripe" | "polar" | "sepay") =>
  (draft: Draft, key: number, index: number): BillingEvent => {
    const common = {
      provider,
      providerEventId: `evt_${index}`,
      occurredAt: at(key),
      subject,
      correlationId: provider === "sepay" ? `order_${index}` : "sub_1",
      amount: null
    }
    const periodEnd = (days: number | null) => (days === null ? null : at(key + days * day))
    switch (draft.type) {
      case "checkout":
        return { _tag: "checkout.completed", ...common, customerId: "cus_1" }
      case "paid":
        return { _tag: "payment.succeeded", ...common, paidThrough: periodEnd(draft.periodDays) }
      case "failed":
        return { _tag: "payment.failed", ...common, requiresAction: draft.requiresAction }
      case "changed":
        return {
          _tag: "subscription.state_changed",
          ...common,
          status: draft.status,
          cancelAtPeriodEnd: draft.cancelAtPeriodEnd,
          currentPeriodEnd: periodEnd(draft.periodDays),
          version: key,
          planKey: subject._tag === "TenantPlan" && draft.planKey !== null ? PlanKey.make(draft.planKey) : null
        }
      case "trial_will_end":
        return { _tag: "subscription.trial_will_end", ...common, trialEnd: at(key + 3 * day) }
      case "refund":
        return { _tag: "refund.issued", ...common }
      case "dispute":
        return { _tag: "dispute.opened", ...common }
    }
  }

/**
 * A scenario: one subject's events from one provider, with order keys hours
 * apart (so grace and pass deadlines fall among them), and a policy.
 */
const scenario = FastCheck.record({
  kind: FastCheck.constantFrom<Array<BillingSubject["_tag"]>>("TenantPlan", "MemberRole"),
  provider: FastCheck.constantFrom<Array<"stripe" | "polar" | "sepay">>("stripe", "polar", "sepay"),
  graceDays: FastCheck.integer({ min: 0, max: 10 }),
  readOnlyDays: FastCheck.integer({ min: 0, max: 20 }),
  // Hours, not all distinct: ties between events happen and must not depend on the delivery either.
  keys: FastCheck.array(FastCheck.integer({ min: 0, max: 24 * 90 }), { minLength: 1, maxLength: 12 })
}).chain((base) =>
  FastCheck.record({
    drafts: FastCheck.array(base.provider === "sepay" ? passDraft : subscriptionDraft, {
      minLength: base.keys.length,
      maxLength: base.keys.length
    }),
    // The delivery: a permutation, events delivered twice, and when armed timers fire early.
    order: FastCheck.shuffledSubarray(base.keys.map((_, index) => index), {
      minLength: base.keys.length,
      maxLength: base.keys.length
    }),
    duplicates: FastCheck.array(
      FastCheck.record({
        event: FastCheck.nat({ max: base.keys.length - 1 }),
        position: FastCheck.nat({ max: base.keys.length })
      }),
      { maxLength: 6 }
    ),
    fireEarly: FastCheck.array(FastCheck.boolean(), { minLength: 20, maxLength: 20 })
  }).map((delivery) => {
    const subject = subjects[base.kind]
    const events = delivery.drafts.map((draft, index) =>
      build(subject, base.provider)(draft, t0 + base.keys[index]! * hour, index)
    )
    const policy: DunningPolicy = {
      graceDays: base.graceDays,
      readOnlyDays: base.kind === "TenantPlan" ? base.readOnlyDays : 0,
      fallbackPlanKey: PlanKey.make("free")
    }
    const shuffled: Array<BillingEvent> = delivery.order.map((index) => events[index]!)
    for (const { event, position } of delivery.duplicates) shuffled.splice(position, 0, events[event]!)
    const sorted = [...events].sort((a, b) => orderKey(a) - orderKey(b))
    return { subject, policy, sorted, shuffled, fireEarly: delivery.fireEarly }
  })
)

/** One delivery run: every transition's effects, the final state, and the timer the state is waiting on. */
interface Run {
  state: Option.Option<SubscriptionState>
  armed: TimerFired | null
  effects: Array<BillingEffect>
}

const apply = (run: Run, event: BillingEvent, policy: DunningPolicy): void => {
  const before = run.state
  const { effects, state } = Subscription.transition(before, event, policy, event.occurredAt)
  run.effects.push(...effects)
  const schedule = effects.find((effect) => effect._tag === "ScheduleAt")
  const changed = Option.match(before, { onNone: () => true, onSome: (previous) => previous !== state })
  // A change disarms the previous timer; the new state arms at most one.
  if (schedule !== undefined) run.armed = schedule.event
  else if (changed) run.armed = null
  run.state = Option.some(state)
}

/** Fires the armed timer, and the ones it arms, as the job runner would once their time comes. */
const drain = (run: Run, policy: DunningPolicy): void => {
  for (let fired = 0; run.armed !== null; fired++) {
    if (fired > 10) throw new Error("timers keep arming one another")
    apply(run, run.armed, policy)
  }
}

const deliver = (events: ReadonlyArray<BillingEvent>, policy: DunningPolicy, fireEarly: ReadonlyArray<boolean>) => {
  const run: Run = { state: Option.none(), armed: null, effects: [] }
  events.forEach((event, index) => {
    apply(run, event, policy)
    if (fireEarly[index % fireEarly.length] && run.armed !== null) apply(run, run.armed, policy)
  })
  drain(run, policy)
  return { state: Option.getOrThrow(run.state), effects: run.effects }
}

const encode = Schema.encodeSync(SubscriptionState)
/** Revision and updatedAt count and date the changes, which differ with the delivery; everything else must not. */
const comparable = (state: SubscriptionState) => {
  const { revision: _revision, updatedAt: _updatedAt, ...rest } = encode(state)
  return rest
}

/** Grants and revokes alternate, starting with a grant; read-only entries and exits likewise. Returns where each ends. */
const issuedInOrder = (effects: ReadonlyArray<BillingEffect>) => {
  let granted = false
  let readOnly = false
  for (const effect of effects) {
    if (effect._tag === "GrantRole") {
      expect(granted, "a role granted twice").toBe(false)
      granted = true
    } else if (effect._tag === "RevokeRole") {
      expect(granted, "a role revoked that was not granted").toBe(true)
      granted = false
    } else if (effect._tag === "EnterReadOnly") {
      expect(readOnly, "read-only entered twice").toBe(false)
      readOnly = true
    } else if (effect._tag === "ExitReadOnly") {
      expect(readOnly, "read-only exited without entering").toBe(true)
      readOnly = false
    }
  }
  return { granted, readOnly }
}

const roleEffects = new Set(["GrantRole", "RevokeRole"])
const tenantEffects = new Set(["SetTenantPlan", "EnterReadOnly", "ExitReadOnly"])

describe("Subscription.transition (properties)", () => {
  it.prop(
    "a shuffled delivery with duplicates and early timers ends where the sorted, de-duplicated one does",
    [scenario],
    ([{ fireEarly, policy, shuffled, sorted }]) => {
      const reference = deliver(sorted, policy, [false])
      const delivered = deliver(shuffled, policy, fireEarly)
      expect(comparable(delivered.state)).toEqual(comparable(reference.state))
      expect(sameSubscription(delivered.state, reference.state)).toBe(true)
    },
    { fastCheck: { numRuns: 400 } }
  )

  it.prop(
    "no delivery grants a role twice or leaves it granted after ended or refunded; each subject kind keeps to its effects",
    [scenario],
    ([{ fireEarly, policy, shuffled, sorted, subject }]) => {
      for (const { effects, state } of [deliver(sorted, policy, [false]), deliver(shuffled, policy, fireEarly)]) {
        const issued = issuedInOrder(effects)
        expect(issued.granted).toBe(state.roleGranted)
        expect(issued.readOnly).toBe(state.readOnly)
        if (state.status === "ended" || state.status === "refunded") expect(state.roleGranted).toBe(false)
        const foreign = subject._tag === "TenantPlan" ? roleEffects : tenantEffects
        expect(effects.filter((effect) => foreign.has(effect._tag))).toEqual([])
        // Only a tenant in read_only is left read-only; only access leaves a role granted.
        expect(state.readOnly).toBe(state.status === "read_only")
        expect(state.roleGranted).toBe(
          subject._tag === "MemberRole" && ["trialing", "active", "past_due", "canceled"].includes(state.status)
        )
      }
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "from any reachable state, any event yields a valid state, and the same event twice changes nothing",
    [scenario, FastCheck.nat(), FastCheck.nat()],
    ([{ fireEarly, policy, shuffled, sorted }, stop, pick]) => {
      const prefix = shuffled.slice(0, stop % (shuffled.length + 1))
      const run: Run = { state: Option.none(), armed: null, effects: [] }
      prefix.forEach((event, index) => {
        apply(run, event, policy)
        if (fireEarly[index % fireEarly.length] && run.armed !== null) apply(run, run.armed, policy)
      })
      const candidates = [...sorted, ...(run.armed === null ? [] : [run.armed])]
      const event = candidates[pick % candidates.length]!
      const once = Subscription.transition(run.state, event, policy, event.occurredAt)
      expect(Schema.decodeUnknownSync(SubscriptionState)(JSON.parse(JSON.stringify(encode(once.state))))).toEqual(
        once.state
      )
      const twice = Subscription.transition(Option.some(once.state), event, policy, event.occurredAt)
      expect(twice.state).toBe(once.state)
      expect(twice.effects).toEqual([])
    },
    { fastCheck: { numRuns: 300 } }
  )
})
