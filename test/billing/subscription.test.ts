import { describe, expect, it } from "@effect/vitest"
import { DateTime, Option, Schema } from "effect"
import {
  type BillingEffect,
  type BillingEvent,
  type BillingSubject,
  type DunningPolicy,
  dunningPolicyForRole,
  GuildId,
  hasAccess,
  PlanKey,
  type ProviderSubscriptionStatus,
  RoleId,
  Subscription,
  SubscriptionState,
  SubscriptionStatus,
  TenantId,
  type TimerFired,
  type Transition,
  UserId
} from "../../core/index.js"

const day = 86_400_000
const t0 = Date.UTC(2026, 0, 1)
const at = (millis: number) => DateTime.unsafeMake(millis)
const iso = (instant: DateTime.Utc | null) => (instant === null ? null : DateTime.formatIso(instant))

const tenantId = TenantId.make("0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b")
const pro = PlanKey.make("pro")
const team = PlanKey.make("team")
const free = PlanKey.make("free")
const tenantPlan: BillingSubject = { _tag: "TenantPlan", tenantId, planKey: pro }
const role = {
  tenantId,
  guildId: GuildId.make("100000000000000001"),
  roleId: RoleId.make("200000000000000001"),
  userId: UserId.make("300000000000000001")
}
const memberRole: BillingSubject = { _tag: "MemberRole", ...role }

const planPolicy: DunningPolicy = { graceDays: 7, readOnlyDays: 14, fallbackPlanKey: free }
const rolePolicy = dunningPolicyForRole(3)

let eventCounter = 0
const common = (subject: BillingSubject, millis: number, provider: BillingEvent["provider"] = "stripe") => ({
  provider,
  providerEventId: `evt_${++eventCounter}`,
  occurredAt: at(millis),
  subject,
  correlationId: "sub_1",
  amount: null
})

const checkout = (subject: BillingSubject, millis: number): BillingEvent => ({
  _tag: "checkout.completed",
  ...common(subject, millis),
  customerId: "cus_1"
})
const paid = (subject: BillingSubject, millis: number, paidThrough: number | null = null): BillingEvent => ({
  _tag: "payment.succeeded",
  ...common(subject, millis),
  paidThrough: paidThrough === null ? null : at(paidThrough)
})
const sepayPaid = (subject: BillingSubject, millis: number, days: number, order: string): BillingEvent => ({
  _tag: "payment.succeeded",
  ...common(subject, millis, "sepay"),
  correlationId: order,
  paidThrough: at(millis + days * day)
})
const failed = (subject: BillingSubject, millis: number, requiresAction = false): BillingEvent => ({
  _tag: "payment.failed",
  ...common(subject, millis),
  requiresAction
})
const changed = (
  subject: BillingSubject,
  version: number,
  status: ProviderSubscriptionStatus,
  options: { cancelAtPeriodEnd?: boolean; planKey?: PlanKey; periodEnd?: number } = {}
): BillingEvent => ({
  _tag: "subscription.state_changed",
  ...common(subject, version),
  status,
  currentPeriodEnd: options.periodEnd === undefined ? null : at(options.periodEnd),
  cancelAtPeriodEnd: options.cancelAtPeriodEnd ?? false,
  version,
  planKey: options.planKey ?? null
})
const trialEnding = (subject: BillingSubject, millis: number, trialEnd: number): BillingEvent => ({
  _tag: "subscription.trial_will_end",
  ...common(subject, millis),
  trialEnd: at(trialEnd)
})
const refund = (subject: BillingSubject, millis: number): BillingEvent => ({
  _tag: "refund.issued",
  ...common(subject, millis)
})
const dispute = (subject: BillingSubject, millis: number): BillingEvent => ({
  _tag: "dispute.opened",
  ...common(subject, millis)
})

/** Applies events in turn, keeping every transition (now = each event's occurredAt). */
const run = (policy: DunningPolicy, events: ReadonlyArray<BillingEvent>, from?: SubscriptionState) => {
  const steps: Array<Transition> = []
  let state = Option.fromNullable(from)
  for (const event of events) {
    const step = Subscription.transition(state, event, policy, event.occurredAt)
    steps.push(step)
    state = Option.some(step.state)
  }
  return { steps, state: steps[steps.length - 1]!.state, last: steps[steps.length - 1]! }
}

const tags = (effects: ReadonlyArray<BillingEffect>) => effects.map((effect) => effect._tag)
const scheduled = (effects: ReadonlyArray<BillingEffect>): TimerFired => {
  const schedule = effects.find((effect) => effect._tag === "ScheduleAt")
  if (schedule === undefined) throw new Error(`no ScheduleAt in ${tags(effects).join(", ")}`)
  return schedule.event
}
const notices = (effects: ReadonlyArray<BillingEffect>) =>
  effects.flatMap((effect) => (effect._tag === "Notify" ? [effect] : []))
const fire = (policy: DunningPolicy, state: SubscriptionState, timer: TimerFired) =>
  Subscription.transition(Option.some(state), timer, policy, timer.occurredAt)

describe("Subscription.transition: a tenant plan", () => {
  it("goes trial -> active -> failed -> grace -> read-only -> ended, with one effect per change", () => {
    const { state: trialing, steps } = run(planPolicy, [
      checkout(tenantPlan, t0),
      changed(tenantPlan, t0 + 1, "trialing", { periodEnd: t0 + 14 * day })
    ])
    expect(trialing.status).toBe("trialing")
    expect(trialing.customerId).toBe("cus_1")
    expect(tags(steps[0]!.effects)).toEqual([])
    expect(steps[1]!.effects).toEqual([{ _tag: "SetTenantPlan", tenantId, planKey: pro }])

    const warned = run(planPolicy, [trialEnding(tenantPlan, t0 + 11 * day, t0 + 14 * day)], trialing)
    expect(notices(warned.last.effects).map((notice) => notice.kind)).toEqual(["trial_ending"])
    const again = Subscription.transition(
      Option.some(warned.state),
      { ...trialEnding(tenantPlan, t0 + 11 * day, t0 + 14 * day), providerEventId: "evt_other_delivery" },
      planPolicy,
      at(t0 + 12 * day)
    )
    expect(again.state).toBe(warned.state)
    expect(again.effects).toEqual([])

    const active = run(
      planPolicy,
      [changed(tenantPlan, t0 + 14 * day, "active", { periodEnd: t0 + 44 * day })],
      warned.state
    )
    expect(active.state.status).toBe("active")
    expect(active.last.effects).toEqual([]) // the plan was set when the trial began

    const failedAt = t0 + 44 * day
    const pastDue = run(planPolicy, [failed(tenantPlan, failedAt, true)], active.state)
    expect(pastDue.state.status).toBe("past_due")
    expect(hasAccess(pastDue.state)).toBe(true)
    expect(iso(pastDue.state.graceEndsAt)).toBe(iso(at(failedAt + 7 * day)))
    expect(tags(pastDue.last.effects)).toEqual(["Notify", "ScheduleAt"])
    expect(notices(pastDue.last.effects)[0]!.message).toContain("3-D Secure")
    const graceTimer = scheduled(pastDue.last.effects)
    expect(graceTimer.timer).toBe("grace_ended")
    expect(iso(graceTimer.occurredAt)).toBe(iso(at(failedAt + 7 * day)))
    expect(graceTimer.providerEventId).toBe(`${tenantId}:plan:grace_ended:r${pastDue.state.revision}`)
    expect(graceTimer.provider).toBe("guildhall")
    expect(graceTimer.correlationId).toBe("sub_1")

    const readOnly = fire(planPolicy, pastDue.state, graceTimer)
    expect(readOnly.state.status).toBe("read_only")
    expect(readOnly.state.readOnly).toBe(true)
    expect(hasAccess(readOnly.state)).toBe(false)
    expect(iso(readOnly.state.readOnlyEndsAt)).toBe(iso(at(failedAt + 21 * day)))
    expect(tags(readOnly.effects)).toEqual(["EnterReadOnly", "Notify", "ScheduleAt"])
    // The same timer delivered twice changes nothing.
    expect(fire(planPolicy, readOnly.state, graceTimer)).toEqual({ state: readOnly.state, effects: [] })

    const ended = fire(planPolicy, readOnly.state, scheduled(readOnly.effects))
    expect(ended.state.status).toBe("ended")
    expect(ended.state.readOnly).toBe(false)
    expect(ended.effects.slice(0, 2)).toEqual([
      { _tag: "ExitReadOnly", tenantId },
      { _tag: "SetTenantPlan", tenantId, planKey: free }
    ])
    expect(notices(ended.effects).map((notice) => notice.kind)).toEqual(["ended"])
    expect(tags(ended.effects)).not.toContain("ScheduleAt")
  })

  it("recovers from read-only when the payment goes through, and disarms the pending timer", () => {
    const { state: pastDue, last } = run(planPolicy, [
      changed(tenantPlan, t0, "active"),
      failed(tenantPlan, t0 + day)
    ])
    const readOnly = fire(planPolicy, pastDue, scheduled(last.effects))
    const recovered = Subscription.transition(
      Option.some(readOnly.state),
      paid(tenantPlan, t0 + 9 * day),
      planPolicy,
      at(t0 + 9 * day)
    )
    expect(recovered.state.status).toBe("active")
    expect(recovered.state.graceEndsAt).toBeNull()
    expect(recovered.effects).toEqual([{ _tag: "ExitReadOnly", tenantId }])
    // The read-only timer armed before the payment no longer applies.
    expect(fire(planPolicy, recovered.state, scheduled(readOnly.effects)).state).toBe(recovered.state)
  })

  it("changes the plan on an upgrade while access is held, and keeps a cancellation's access until the end", () => {
    const { state: active } = run(planPolicy, [changed(tenantPlan, t0, "active")])
    const upgraded = Subscription.transition(
      Option.some(active),
      changed(tenantPlan, t0 + day, "active", { planKey: team }),
      planPolicy,
      at(t0 + day)
    )
    expect(upgraded.state.planKey).toBe(team)
    expect(upgraded.effects).toEqual([{ _tag: "SetTenantPlan", tenantId, planKey: team }])

    const canceling = run(planPolicy, [
      changed(tenantPlan, t0 + 2 * day, "active", { cancelAtPeriodEnd: true, planKey: team })
    ], upgraded.state)
    expect(canceling.state.status).toBe("canceled")
    expect(hasAccess(canceling.state)).toBe(true)
    expect(canceling.last.effects).toEqual([])

    const ended = run(planPolicy, [changed(tenantPlan, t0 + 30 * day, "ended")], canceling.state)
    expect(ended.state.status).toBe("ended")
    expect(tags(ended.last.effects)).toEqual(["SetTenantPlan", "Notify"])
    expect(ended.last.effects[0]).toEqual({ _tag: "SetTenantPlan", tenantId, planKey: free })

    // A newer active (resubscribed) restores the plan.
    const back = run(planPolicy, [changed(tenantPlan, t0 + 40 * day, "active", { planKey: team })], ended.state)
    expect(back.state.status).toBe("active")
    expect(back.last.effects).toEqual([{ _tag: "SetTenantPlan", tenantId, planKey: team }])
  })

  it("ends in refunded whatever comes after, and a dispute puts the tenant in read-only at once", () => {
    const { state: readOnly } = run(planPolicy, [changed(tenantPlan, t0, "active"), dispute(tenantPlan, t0 + day)])
    expect(readOnly.status).toBe("read_only")
    expect(readOnly.readOnlyEndsAt).toBeNull() // no timer: an operator settles disputes

    const newerActive = run(planPolicy, [changed(tenantPlan, t0 + 2 * day, "active")], readOnly)
    expect(newerActive.state.status).toBe("read_only")
    expect(newerActive.last.effects).toEqual([])

    const refunded = run(planPolicy, [refund(tenantPlan, t0 - day)], newerActive.state) // refunds apply at any age
    expect(refunded.state.status).toBe("refunded")
    expect(refunded.last.effects.slice(0, 2)).toEqual([
      { _tag: "ExitReadOnly", tenantId },
      { _tag: "SetTenantPlan", tenantId, planKey: free }
    ])
    const later = run(
      planPolicy,
      [paid(tenantPlan, t0 + 60 * day), changed(tenantPlan, t0 + 61 * day, "active")],
      refunded.state
    )
    expect(later.state.status).toBe("refunded")
    expect(later.steps.flatMap((step) => step.effects)).toEqual([])
  })

  it("ignores an event older than the applied version, and the same event twice", () => {
    const { state: active } = run(planPolicy, [changed(tenantPlan, t0 + 10, "active")])
    const stale = Subscription.transition(
      Option.some(active),
      changed(tenantPlan, t0 + 5, "incomplete"),
      planPolicy,
      at(t0 + 20)
    )
    expect(stale.state).toBe(active)
    expect(stale.effects).toEqual([])

    const event = failed(tenantPlan, t0 + 20)
    const once = Subscription.transition(Option.some(active), event, planPolicy, at(t0 + 20))
    const twice = Subscription.transition(Option.some(once.state), event, planPolicy, at(t0 + 30))
    expect(twice.state).toBe(once.state)
    expect(twice.effects).toEqual([])
  })

  it("grants no grace when the first payment fails", () => {
    const { state, last } = run(planPolicy, [checkout(tenantPlan, t0), failed(tenantPlan, t0 + 1, true)])
    expect(state.status).toBe("pending")
    expect(tags(last.effects)).toEqual(["Notify"])
  })
})

describe("Subscription.transition: a member's paid role", () => {
  it("grants on payment, keeps it through grace, revokes when grace ends, re-grants on a newer payment", () => {
    const { state: active, steps } = run(rolePolicy, [
      checkout(memberRole, t0),
      paid(memberRole, t0 + 1, t0 + 30 * day)
    ])
    expect(active.status).toBe("active")
    expect(iso(active.currentPeriodEnd)).toBe(iso(at(t0 + 30 * day)))
    expect(steps[1]!.effects).toEqual([{ _tag: "GrantRole", ...role }])

    const pastDue = run(rolePolicy, [failed(memberRole, t0 + 30 * day)], active)
    expect(pastDue.state.roleGranted).toBe(true)
    expect(tags(pastDue.last.effects)).toEqual(["Notify", "ScheduleAt"])
    expect(notices(pastDue.last.effects)[0]).toMatchObject({ guildId: role.guildId, userId: role.userId })

    const ended = fire(rolePolicy, pastDue.state, scheduled(pastDue.last.effects))
    expect(ended.state.status).toBe("ended")
    expect(iso(ended.state.graceEndsAt)).toBe(iso(at(t0 + 33 * day)))
    expect(ended.effects[0]).toEqual({ _tag: "RevokeRole", ...role })
    expect(ended.effects.some((effect) => effect._tag === "EnterReadOnly" || effect._tag === "SetTenantPlan")).toBe(
      false
    )

    const again = run(rolePolicy, [paid(memberRole, t0 + 35 * day)], ended.state)
    expect(again.state.status).toBe("active")
    expect(again.last.effects).toEqual([{ _tag: "GrantRole", ...role }])
  })

  it("revokes at once on a dispute and on a refund, never twice", () => {
    const { state: active } = run(rolePolicy, [paid(memberRole, t0)])
    const disputed = run(rolePolicy, [dispute(memberRole, t0 + day)], active)
    expect(disputed.state.status).toBe("ended")
    expect(tags(disputed.last.effects)).toEqual(["RevokeRole", "Notify"])
    const refunded = run(rolePolicy, [refund(memberRole, t0 + 2 * day)], disputed.state)
    expect(refunded.state.status).toBe("refunded")
    expect(tags(refunded.last.effects)).toEqual(["Notify"])
  })

  it("keeps the role while canceled at period end and revokes when the provider ends it", () => {
    const { steps } = run(rolePolicy, [
      changed(memberRole, t0, "active"),
      changed(memberRole, t0 + day, "active", { cancelAtPeriodEnd: true }),
      changed(memberRole, t0 + 30 * day, "ended")
    ])
    expect(steps.map((step) => step.state.status)).toEqual(["active", "canceled", "ended"])
    expect(steps.map((step) => tags(step.effects).filter((tag) => tag !== "Notify"))).toEqual([
      ["GrantRole"],
      [],
      ["RevokeRole"]
    ])
  })

  it("revokes a paused subscription's role and restores it when resumed", () => {
    const { steps } = run(rolePolicy, [
      changed(memberRole, t0, "active"),
      changed(memberRole, t0 + day, "paused"),
      changed(memberRole, t0 + 2 * day, "active")
    ])
    expect(steps.map((step) => step.state.status)).toEqual(["active", "ended", "active"])
    expect(steps.map((step) => tags(step.effects).filter((tag) => tag !== "Notify"))).toEqual([
      ["GrantRole"],
      ["RevokeRole"],
      ["GrantRole"]
    ])
  })
})

describe("Subscription.transition: a SePay pass", () => {
  it("extends a running pass from its end, expires on the last timer only, and starts over on a new purchase", () => {
    const first = run(rolePolicy, [sepayPaid(memberRole, t0, 30, "order_1")])
    expect(first.state.status).toBe("active")
    expect(first.state.provider).toBe("sepay")
    expect(iso(first.state.currentPeriodEnd)).toBe(iso(at(t0 + 30 * day)))
    expect(tags(first.last.effects)).toEqual(["GrantRole", "ScheduleAt"])
    const firstTimer = scheduled(first.last.effects)
    expect(firstTimer.timer).toBe("period_ended")

    const extended = run(rolePolicy, [sepayPaid(memberRole, t0 + 10 * day, 30, "order_2")], first.state)
    expect(iso(extended.state.currentPeriodEnd)).toBe(iso(at(t0 + 60 * day)))
    expect(extended.state.correlationId).toBe("order_2")
    expect(tags(extended.last.effects)).toEqual(["ScheduleAt"])

    // The first pass's timer was disarmed by the extension.
    expect(fire(rolePolicy, extended.state, firstTimer).state).toBe(extended.state)
    const expired = fire(rolePolicy, extended.state, scheduled(extended.last.effects))
    expect(expired.state.status).toBe("ended")
    expect(tags(expired.effects)).toEqual(["RevokeRole", "Notify"])

    const renewed = run(rolePolicy, [sepayPaid(memberRole, t0 + 70 * day, 30, "order_3")], expired.state)
    expect(renewed.state.status).toBe("active")
    expect(iso(renewed.state.currentPeriodEnd)).toBe(iso(at(t0 + 100 * day)))
    expect(tags(renewed.last.effects)).toEqual(["GrantRole", "ScheduleAt"])
  })

  it("counts a late-delivered earlier payment as if it had arrived in order", () => {
    const inOrder = run(rolePolicy, [
      sepayPaid(memberRole, t0, 30, "order_1"),
      sepayPaid(memberRole, t0 + 5 * day, 30, "order_2")
    ])
    const late = run(rolePolicy, [
      sepayPaid(memberRole, t0 + 5 * day, 30, "order_2"),
      sepayPaid(memberRole, t0, 30, "order_1")
    ])
    expect(iso(inOrder.state.currentPeriodEnd)).toBe(iso(at(t0 + 60 * day)))
    expect(iso(late.state.currentPeriodEnd)).toBe(iso(at(t0 + 60 * day)))
  })
})

describe("Subscription.transition is total", () => {
  const policies = { TenantPlan: planPolicy, MemberRole: rolePolicy } as const
  const eventsFor = (subject: BillingSubject): ReadonlyArray<BillingEvent> => [
    checkout(subject, t0 + 100),
    paid(subject, t0 + 101, t0 + 30 * day),
    sepayPaid(subject, t0 + 102, 30, "order_9"),
    failed(subject, t0 + 103, true),
    ...(["incomplete", "trialing", "active", "past_due", "paused", "ended"] as const).map((status) =>
      changed(subject, t0 + 104, status, { cancelAtPeriodEnd: true })
    ),
    trialEnding(subject, t0 + 105, t0 + 3 * day),
    refund(subject, t0 + 106),
    dispute(subject, t0 + 107),
    ...(["grace_ended", "read_only_ended", "period_ended"] as const).map((timer): BillingEvent => ({
      _tag: "timer.fired",
      ...common(subject, t0 + 108, "guildhall"),
      timer,
      armedAtRevision: 3
    }))
  ]
  const decode = Schema.decodeUnknownSync(SubscriptionState)
  const encode = Schema.encodeSync(SubscriptionState)

  for (const subject of [tenantPlan, memberRole]) {
    it(`${subject._tag}: every status x every event yields a valid state, and the same event twice changes nothing`, () => {
      for (const status of SubscriptionStatus.literals) {
        const start = new SubscriptionState({
          subject,
          status,
          provider: "stripe",
          correlationId: "sub_1",
          customerId: null,
          planKey: subject._tag === "TenantPlan" ? pro : null,
          currentPeriodEnd: null,
          cancelAtPeriodEnd: false,
          version: t0,
          revision: 3,
          roleGranted: subject._tag === "MemberRole" && hasAccess({ status }),
          readOnly: subject._tag === "TenantPlan" && status === "read_only",
          graceEndsAt: null,
          readOnlyEndsAt: null,
          updatedAt: at(t0)
        })
        for (const event of [...eventsFor(subject), paid(subject, t0 - 1)]) {
          const once = Subscription.transition(Option.some(start), event, policies[subject._tag], at(t0 + day))
          expect(decode(JSON.parse(JSON.stringify(encode(once.state))))).toEqual(once.state)
          const twice = Subscription.transition(
            Option.some(once.state),
            event,
            policies[subject._tag],
            at(t0 + 2 * day)
          )
          expect(twice.state).toBe(once.state)
          expect(twice.effects).toEqual([])
        }
      }
      for (const event of eventsFor(subject)) {
        const created = Subscription.transition(Option.none(), event, policies[subject._tag], at(t0))
        expect(created.state.subject).toEqual(subject)
        expect(decode(encode(created.state))).toEqual(created.state)
      }
    })
  }

  it("decodes a state stored before facts existed", () => {
    const { facts: _facts, ...older } = encode(run(planPolicy, [changed(tenantPlan, t0, "active")]).state)
    expect(decode(older).facts.signal).toBeNull()
  })
})
