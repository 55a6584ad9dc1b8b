import { assert, layer } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import { randomUUID } from "node:crypto"
import {
  BillingLedger,
  type DecideContext,
  type GuildId,
  type GuildRepo,
  Jobs,
  type Jobs as JobsTag,
  type JobSpec,
  type MemberRoleSubject,
  PaidRoleRepo,
  PlanKey,
  type RecordRequest,
  RoleId,
  subjectKey,
  SubscriptionState,
  type SubscriptionStatus,
  type TenantId,
  type TenantPlanSubject,
  type TenantRepo,
  UserId,
  type WebhookReceipt
} from "../../core/index.js"
import { at } from "../support/fixtures.js"
import { tenantWithGuilds } from "../support/policy.js"
import type { Store } from "../support/stores.js"
import { makePaidRole } from "./PaidRoleRepo.contract.js"

export type BillingLedgerPorts = TenantRepo | GuildRepo | BillingLedger | JobsTag | PaidRoleRepo

const memberOf = (tenantId: TenantId, guildId: GuildId, user = 1, role = 1): MemberRoleSubject => ({
  _tag: "MemberRole",
  tenantId,
  guildId,
  roleId: RoleId.make(`40000000000000000${role}`),
  userId: UserId.make(`50000000000000000${user}`)
})

const planOf = (tenantId: TenantId): TenantPlanSubject => ({
  _tag: "TenantPlan",
  tenantId,
  planKey: PlanKey.make("pro")
})

const receiptOf = (tenantId: TenantId | null, fields: Partial<WebhookReceipt> = {}): WebhookReceipt => ({
  provider: "stripe",
  providerEventId: `evt_${randomUUID()}`,
  type: "customer.subscription.updated",
  tenantId,
  payload: `{"id":"evt","object":"event","data":{"object":{"status":"active"}}}`,
  receivedAt: at(1_000),
  ...fields
})

const jobOf = (tenantId: TenantId | null, key: string): JobSpec => ({
  tenantId,
  kind: "billing.Test",
  payload: { key },
  runAt: at(0),
  idempotencyKey: key
})

/**
 * A stand-in for the state machine: each event adds one revision, sets the
 * status, and asks for one job keyed by the event. `seen` records the state
 * each call was given.
 */
const counting = (
  subject: MemberRoleSubject | TenantPlanSubject,
  eventId: string,
  options: {
    readonly status?: SubscriptionStatus
    readonly updatedAt?: number
    /** Write the grace days decide was given into the state's correlation id, to see which decision was stored. */
    readonly graceInCorrelationId?: boolean
  } = {}
) => {
  const seen: Array<Option.Option<SubscriptionState>> = []
  const contexts: Array<DecideContext> = []
  const decide = (current: Option.Option<SubscriptionState>, context: DecideContext) => {
    seen.push(current)
    contexts.push(context)
    const revision = Option.match(current, { onNone: () => 1, onSome: (state) => state.revision + 1 })
    const state = SubscriptionState.make({
      subject,
      status: options.status ?? "active",
      provider: "stripe",
      correlationId: options.graceInCorrelationId === true
        ? `grace:${Option.getOrElse(Option.map(context.paidRoleGraceDays, String), () => "none")}`
        : "sub_123",
      customerId: "cus_123",
      planKey: subject._tag === "TenantPlan" ? subject.planKey : null,
      currentPeriodEnd: at(30 * 86_400_000),
      cancelAtPeriodEnd: false,
      version: revision,
      revision,
      roleGranted: subject._tag === "MemberRole",
      readOnly: false,
      graceEndsAt: null,
      readOnlyEndsAt: null,
      updatedAt: at(options.updatedAt ?? revision * 1_000)
    })
    return { transition: { state, effects: [] }, jobs: [jobOf(subject.tenantId, `decided:${eventId}`)] }
  }
  return { decide, seen, contexts }
}

const applied = (
  receipt: WebhookReceipt,
  subject: MemberRoleSubject | TenantPlanSubject,
  options: Parameters<typeof counting>[2] & { readonly jobs?: ReadonlyArray<JobSpec> } = {}
) => {
  const { contexts, decide, seen } = counting(subject, receipt.providerEventId, options)
  const request: RecordRequest = {
    receipt,
    outcome: "applied",
    note: null,
    transition: Option.some({ subject, decide }),
    jobs: options.jobs ?? []
  }
  return { request, seen, contexts }
}

/** The tenant's pending test jobs' keys, sorted. */
const pendingKeys = (tenantId: TenantId) =>
  Effect.flatMap(Jobs, (jobs) => jobs.list({ status: "pending", tenantId, kind: "billing.Test", limit: 1_000 })).pipe(
    Effect.map((found) => found.map((job) => job.idempotencyKey).sort())
  )

const revisionOf = (tenantId: TenantId, key: string) =>
  Effect.flatMap(BillingLedger, (ledger) => ledger.findSubscription(tenantId, key)).pipe(
    Effect.map(Option.map((state) => state.revision))
  )

const noContext: DecideContext = { paidRoleGraceDays: Option.none() }

export const billingLedgerContract = (store: Store<BillingLedgerPorts>) =>
  layer(store.layer(), { timeout: 60_000 })(`BillingLedger on ${store.name}`, (it) => {
    it.effect("records a receipt, runs decide on the current state, stores it and enqueues every job once", () =>
      Effect.gen(function*() {
        const ledger = yield* BillingLedger
        const { guildIds: [guildId], tenantId } = yield* tenantWithGuilds()
        const subject = memberOf(tenantId, guildId)
        const key = subjectKey(subject)

        const first = applied(receiptOf(tenantId), subject, { jobs: [jobOf(tenantId, "settle:first")] })
        assert.strictEqual(yield* ledger.record(first.request), "recorded")
        assert.deepStrictEqual(first.seen, [Option.none()])
        const afterFirst = yield* ledger.findSubscription(tenantId, key)
        assert.strictEqual(Option.getOrThrow(afterFirst).revision, 1)
        assert.deepStrictEqual(
          afterFirst,
          Option.some(
            first.request.transition.pipe(Option.getOrThrow).decide(Option.none(), noContext).transition.state
          )
        )

        const second = applied(receiptOf(tenantId, { receivedAt: at(2_000) }), subject, { status: "past_due" })
        assert.strictEqual(yield* ledger.record(second.request), "recorded")
        assert.deepStrictEqual(second.seen, [afterFirst])
        const afterSecond = Option.getOrThrow(yield* ledger.findSubscription(tenantId, key))
        assert.strictEqual(afterSecond.revision, 2)
        assert.strictEqual(afterSecond.status, "past_due")

        assert.deepStrictEqual(
          yield* pendingKeys(tenantId),
          [
            `decided:${first.request.receipt.providerEventId}`,
            `decided:${second.request.receipt.providerEventId}`,
            "settle:first"
          ].sort()
        )
        assert.deepStrictEqual(yield* ledger.listReceipts(tenantId, { limit: 10 }), [
          {
            provider: "stripe",
            providerEventId: second.request.receipt.providerEventId,
            type: "customer.subscription.updated",
            tenantId,
            outcome: "applied",
            note: null,
            receivedAt: at(2_000)
          },
          {
            provider: "stripe",
            providerEventId: first.request.receipt.providerEventId,
            type: "customer.subscription.updated",
            tenantId,
            outcome: "applied",
            note: null,
            receivedAt: at(1_000)
          }
        ])
        assert.strictEqual((yield* ledger.listReceipts(tenantId, { limit: 1 })).length, 1)
      }))

    it.effect("decide is given the grace days of the member's paid role as they are, none for a plan", () =>
      Effect.gen(function*() {
        const ledger = yield* BillingLedger
        const roles = yield* PaidRoleRepo
        const { guildIds: [guildId], tenantId } = yield* tenantWithGuilds()
        const member = memberOf(tenantId, guildId)
        const notPaid = applied(receiptOf(tenantId), member)
        yield* ledger.record(notPaid.request)
        assert.deepStrictEqual(notPaid.contexts, [noContext])

        yield* roles.upsert(makePaidRole({ tenantId, guildId, roleId: member.roleId, graceDays: 7 }))
        const paid = applied(receiptOf(tenantId), member)
        yield* ledger.record(paid.request)
        assert.deepStrictEqual(paid.contexts, [{ paidRoleGraceDays: Option.some(7) }])

        // Another role of the same guild is not this member's.
        const otherRole = memberOf(tenantId, guildId, 1, 2)
        const other = applied(receiptOf(tenantId), otherRole)
        yield* ledger.record(other.request)
        assert.deepStrictEqual(other.contexts, [noContext])

        yield* roles.upsert(makePaidRole({ tenantId, guildId, roleId: member.roleId, graceDays: 0 }))
        const changed = applied(receiptOf(tenantId), member)
        yield* ledger.record(changed.request)
        assert.deepStrictEqual(changed.contexts, [{ paidRoleGraceDays: Option.some(0) }])

        const plan = applied(receiptOf(tenantId), planOf(tenantId))
        yield* ledger.record(plan.request)
        assert.deepStrictEqual(plan.contexts, [noContext])
      }))

    // A store may decide a subscription's first event ahead, with the grace days it last read (ADR 090); what it
    // stores must still be the decision made with the grace days in force when the event is recorded.
    it.effect("a new subscription is stored as decided with its paid role's grace days as they are now", () =>
      Effect.gen(function*() {
        const ledger = yield* BillingLedger
        const roles = yield* PaidRoleRepo
        const { guildIds: [guildId], tenantId } = yield* tenantWithGuilds()
        const roleId = memberOf(tenantId, guildId).roleId
        const recordMember = (user: number) =>
          ledger.record(
            applied(receiptOf(tenantId), memberOf(tenantId, guildId, user), { graceInCorrelationId: true })
              .request
          )
        const storedGrace = (user: number) =>
          Effect.map(
            ledger.findSubscription(tenantId, subjectKey(memberOf(tenantId, guildId, user))),
            Option.map((state) => state.correlationId)
          )

        yield* roles.upsert(makePaidRole({ tenantId, guildId, roleId, graceDays: 7 }))
        yield* recordMember(1)
        yield* recordMember(2)
        yield* roles.upsert(makePaidRole({ tenantId, guildId, roleId, graceDays: 3 }))
        yield* recordMember(3)
        yield* recordMember(4)
        yield* roles.remove(tenantId, guildId, roleId)
        yield* recordMember(5)
        assert.deepStrictEqual(
          yield* Effect.forEach([1, 2, 3, 4, 5], storedGrace),
          ["grace:7", "grace:7", "grace:3", "grace:3", "grace:none"].map(Option.some)
        )
      }))

    it.effect("a duplicate receipt is answered \"duplicate\" and writes nothing: no decide, no state, no jobs", () =>
      Effect.gen(function*() {
        const ledger = yield* BillingLedger
        const { guildIds: [guildId], tenantId } = yield* tenantWithGuilds()
        const subject = memberOf(tenantId, guildId)
        const receipt = receiptOf(tenantId)
        yield* ledger.record(applied(receipt, subject).request)
        const before = yield* ledger.findSubscription(tenantId, subjectKey(subject))
        const jobsBefore = yield* pendingKeys(tenantId)

        const again = applied({ ...receipt, type: "invoice.paid", receivedAt: at(9_000) }, subject, {
          status: "ended",
          jobs: [jobOf(tenantId, "settle:again")]
        })
        const ignoredAgain: RecordRequest = {
          receipt,
          outcome: "ignored",
          note: "replayed",
          transition: Option.none(),
          jobs: [jobOf(tenantId, "settle:ignored-again")]
        }
        assert.strictEqual(yield* ledger.record(again.request), "duplicate")
        assert.strictEqual(yield* ledger.record(ignoredAgain), "duplicate")
        assert.deepStrictEqual(again.seen, [])
        assert.deepStrictEqual(yield* ledger.findSubscription(tenantId, subjectKey(subject)), before)
        assert.deepStrictEqual(yield* pendingKeys(tenantId), jobsBefore)
        const receipts = yield* ledger.listReceipts(tenantId, { limit: 10 })
        assert.deepStrictEqual(receipts.map((r) => [r.type, r.outcome, r.receivedAt]), [
          ["customer.subscription.updated", "applied", at(1_000)]
        ])
      }))

    it.effect("receipts that name no tenant are listed newest first, with their bodies, a page at a time", () =>
      Effect.gen(function*() {
        const ledger = yield* BillingLedger
        const { tenantId } = yield* tenantWithGuilds()
        // Later than any other test's receipts, so this test's are the newest tenantless ones.
        const base = 4_000_000_000_000 + Math.floor(Math.random() * 1_000_000) * 10
        const tie = `evt_tie_${randomUUID()}`
        const newest = receiptOf(null, { type: "account.updated", receivedAt: at(base + 3), payload: "{\"n\":1}" })
        const [tiedFirst, tiedSecond] = [`${tie}_1`, `${tie}_2`].map((providerEventId) =>
          receiptOf(null, { type: "customer.created", providerEventId, receivedAt: at(base + 2) })
        )
        const tenants = receiptOf(tenantId, { receivedAt: at(base + 5) })
        for (const receipt of [tiedSecond!, newest, tenants, tiedFirst!]) {
          yield* ledger.record({ receipt, outcome: "ignored", note: "no tenant", transition: Option.none(), jobs: [] })
        }

        const first = yield* ledger.listTenantlessReceipts({ limit: 2, after: Option.none() })
        assert.deepStrictEqual(first.map((r) => r.providerEventId), [
          newest.providerEventId,
          tiedFirst!.providerEventId
        ])
        assert.deepStrictEqual(first[0], {
          provider: "stripe",
          providerEventId: newest.providerEventId,
          type: "account.updated",
          tenantId: null,
          outcome: "ignored",
          note: "no tenant",
          receivedAt: at(base + 3),
          payload: "{\"n\":1}"
        })
        const next = yield* ledger.listTenantlessReceipts({ limit: 2, after: Option.some(first[1]!) })
        assert.strictEqual(next[0]?.providerEventId, tiedSecond!.providerEventId)
        assert.isTrue(next.every((r) => r.tenantId === null && r.receivedAt.epochMillis <= base + 2))
      }))

    it.effect("a receipt without a transition is recorded with its outcome and note, and its jobs enqueued", () =>
      Effect.gen(function*() {
        const ledger = yield* BillingLedger
        const { tenantId } = yield* tenantWithGuilds()
        const underpaid = receiptOf(tenantId, { provider: "sepay", providerEventId: "92704", type: "in" })
        assert.strictEqual(
          yield* ledger.record({
            receipt: underpaid,
            outcome: "held_for_review",
            note: "underpaid: 50000 of 99000 VND",
            transition: Option.none(),
            jobs: [jobOf(tenantId, `notify:${tenantId}:underpaid`)]
          }),
          "recorded"
        )
        const unknown = receiptOf(tenantId, { type: "customer.tax_id.created", receivedAt: at(500) })
        assert.strictEqual(
          yield* ledger.record({
            receipt: unknown,
            outcome: "ignored",
            note: "unknown event type",
            transition: Option.none(),
            jobs: []
          }),
          "recorded"
        )
        assert.deepStrictEqual(
          (yield* ledger.listReceipts(tenantId, { limit: 10 })).map((r) => [r.providerEventId, r.outcome, r.note]),
          [["92704", "held_for_review", "underpaid: 50000 of 99000 VND"], [
            unknown.providerEventId,
            "ignored",
            "unknown event type"
          ]]
        )
        assert.deepStrictEqual(yield* pendingKeys(tenantId), [`notify:${tenantId}:underpaid`])
        assert.deepStrictEqual(yield* ledger.listSubscriptions(tenantId, { limit: 10 }), [])
      }))

    it.effect("a receipt naming no tenant is recorded once, and listed for no tenant", () =>
      Effect.gen(function*() {
        const ledger = yield* BillingLedger
        const { tenantId } = yield* tenantWithGuilds()
        const operatorEvent = receiptOf(null, { type: "account.updated" })
        const request: RecordRequest = {
          receipt: operatorEvent,
          outcome: "ignored",
          note: "operator account event",
          transition: Option.none(),
          jobs: []
        }
        assert.strictEqual(yield* ledger.record(request), "recorded")
        assert.strictEqual(yield* ledger.record(request), "duplicate")
        assert.deepStrictEqual(yield* ledger.listReceipts(tenantId, { limit: 10 }), [])
      }))

    it.effect("an event id already recorded for another tenant, or for none, is a duplicate", () =>
      Effect.gen(function*() {
        const ledger = yield* BillingLedger
        const first = yield* tenantWithGuilds()
        const second = yield* tenantWithGuilds()
        const ignored = (receipt: WebhookReceipt): RecordRequest => ({
          receipt,
          outcome: "ignored",
          note: null,
          transition: Option.none(),
          jobs: []
        })
        const receipt = receiptOf(first.tenantId)
        assert.strictEqual(yield* ledger.record(ignored(receipt)), "recorded")
        assert.strictEqual(yield* ledger.record(ignored({ ...receipt, tenantId: second.tenantId })), "duplicate")
        assert.strictEqual(yield* ledger.record(ignored({ ...receipt, tenantId: null })), "duplicate")
        const tenantless = receiptOf(null)
        assert.strictEqual(yield* ledger.record(ignored(tenantless)), "recorded")
        assert.strictEqual(yield* ledger.record(ignored({ ...tenantless, tenantId: second.tenantId })), "duplicate")
        assert.deepStrictEqual(yield* ledger.listReceipts(second.tenantId, { limit: 10 }), [])
        assert.strictEqual((yield* ledger.listReceipts(first.tenantId, { limit: 10 })).length, 1)
      }))

    it.effect("the same event id from another provider is another receipt", () =>
      Effect.gen(function*() {
        const ledger = yield* BillingLedger
        const { tenantId } = yield* tenantWithGuilds()
        const eventId = `shared_${randomUUID()}`
        for (const provider of ["stripe", "polar", "sepay"] as const) {
          const receipt = receiptOf(tenantId, { provider, providerEventId: eventId })
          const request: RecordRequest = {
            receipt,
            outcome: "ignored",
            note: null,
            transition: Option.none(),
            jobs: []
          }
          assert.strictEqual(yield* ledger.record(request), "recorded")
        }
        assert.strictEqual((yield* ledger.listReceipts(tenantId, { limit: 10 })).length, 3)
      }))

    it.effect("concurrent events for one brand-new subscription all apply, one after the other", () =>
      Effect.gen(function*() {
        const ledger = yield* BillingLedger
        const { tenantId } = yield* tenantWithGuilds()
        const subject = planOf(tenantId)
        const events = Array.from({ length: 6 }, () => applied(receiptOf(tenantId), subject))
        const outcomes = yield* Effect.forEach(events, ({ request }) => ledger.record(request), {
          concurrency: "unbounded"
        })
        assert.deepStrictEqual(outcomes, events.map(() => "recorded"))
        assert.deepStrictEqual(yield* revisionOf(tenantId, "plan"), Option.some(events.length))
        // Each event's final decision saw the previous one's state: revisions 0 (none) to 5, each once.
        const seenRevisions = events.map(({ seen }) =>
          Option.match(seen.at(-1)!, { onNone: () => 0, onSome: (s) => s.revision })
        )
        assert.deepStrictEqual(seenRevisions.sort(), [0, 1, 2, 3, 4, 5])
        assert.strictEqual((yield* pendingKeys(tenantId)).length, events.length)
      }))

    it.effect("concurrent deliveries of one event: one is recorded, the others are duplicates", () =>
      Effect.gen(function*() {
        const ledger = yield* BillingLedger
        const { guildIds: [guildId], tenantId } = yield* tenantWithGuilds()
        const subject = memberOf(tenantId, guildId)
        const receipt = receiptOf(tenantId)
        const outcomes = yield* Effect.forEach([1, 2, 3, 4], () => ledger.record(applied(receipt, subject).request), {
          concurrency: "unbounded"
        })
        assert.deepStrictEqual(outcomes.filter((outcome) => outcome === "recorded").length, 1)
        assert.deepStrictEqual(yield* revisionOf(tenantId, subjectKey(subject)), Option.some(1))
        assert.deepStrictEqual(yield* pendingKeys(tenantId), [`decided:${receipt.providerEventId}`])
      }))

    it.effect("lists subscriptions by status, guild and user, most recently updated first, up to the limit", () =>
      Effect.gen(function*() {
        const ledger = yield* BillingLedger
        const { guildIds: [guildA, second], tenantId } = yield* tenantWithGuilds(2)
        const guildB = second!
        const record = (
          subject: MemberRoleSubject | TenantPlanSubject,
          status: SubscriptionStatus,
          updatedAt: number
        ) => ledger.record(applied(receiptOf(tenantId), subject, { status, updatedAt }).request)
        const aliceA = memberOf(tenantId, guildA, 1)
        const bobA = memberOf(tenantId, guildA, 2)
        const aliceB = memberOf(tenantId, guildB, 1, 2)
        yield* record(aliceA, "active", 3_000)
        yield* record(bobA, "past_due", 5_000)
        yield* record(aliceB, "active", 4_000)
        yield* record(planOf(tenantId), "trialing", 1_000)
        const keys = (states: ReadonlyArray<SubscriptionState>) => states.map((state) => subjectKey(state.subject))

        assert.deepStrictEqual(keys(yield* ledger.listSubscriptions(tenantId, { limit: 10 })), [
          subjectKey(bobA),
          subjectKey(aliceB),
          subjectKey(aliceA),
          "plan"
        ])
        assert.deepStrictEqual(keys(yield* ledger.listSubscriptions(tenantId, { limit: 2 })), [
          subjectKey(bobA),
          subjectKey(aliceB)
        ])
        assert.deepStrictEqual(
          keys(yield* ledger.listSubscriptions(tenantId, { status: ["active", "trialing"], limit: 10 })),
          [subjectKey(aliceB), subjectKey(aliceA), "plan"]
        )
        assert.deepStrictEqual(keys(yield* ledger.listSubscriptions(tenantId, { status: [], limit: 10 })), [])
        assert.deepStrictEqual(keys(yield* ledger.listSubscriptions(tenantId, { guildId: guildA, limit: 10 })), [
          subjectKey(bobA),
          subjectKey(aliceA)
        ])
        assert.deepStrictEqual(
          keys(yield* ledger.listSubscriptions(tenantId, { userId: aliceA.userId, limit: 10 })),
          [subjectKey(aliceB), subjectKey(aliceA)]
        )
        assert.deepStrictEqual(
          keys(
            yield* ledger.listSubscriptions(tenantId, {
              status: ["active"],
              guildId: guildA,
              userId: aliceA.userId,
              limit: 10
            })
          ),
          [subjectKey(aliceA)]
        )
      }))

    it.effect("a receipt changing another tenant's subscription, or decide failing, is a defect that writes nothing", () =>
      Effect.gen(function*() {
        const ledger = yield* BillingLedger
        const owner = yield* tenantWithGuilds()
        const intruder = yield* tenantWithGuilds()
        const subject = memberOf(owner.tenantId, owner.guildIds[0])

        const crossTenant = applied(receiptOf(intruder.tenantId), subject).request
        const tenantless = applied(receiptOf(null), subject).request
        const throwing: RecordRequest = {
          ...applied(receiptOf(owner.tenantId), subject).request,
          transition: Option.some({
            subject,
            decide: () => {
              throw new Error("decide failed")
            }
          }),
          jobs: [jobOf(owner.tenantId, `settle:${randomUUID()}`)]
        }
        const foreignJob = applied(receiptOf(owner.tenantId), subject, { jobs: [jobOf(intruder.tenantId, "x")] })
        for (const request of [crossTenant, tenantless, throwing, foreignJob.request]) {
          const exit = yield* Effect.exit(ledger.record(request))
          assert.isTrue(Exit.isFailure(exit) && Exit.causeOption(exit).pipe(Option.exists((c) => c._tag === "Die")))
        }
        assert.deepStrictEqual(yield* ledger.listReceipts(owner.tenantId, { limit: 10 }), [])
        assert.deepStrictEqual(yield* ledger.listReceipts(intruder.tenantId, { limit: 10 }), [])
        assert.deepStrictEqual(yield* ledger.findSubscription(owner.tenantId, subjectKey(subject)), Option.none())
        assert.deepStrictEqual(yield* pendingKeys(owner.tenantId), [])

        // Nothing was held: the same receipt records once it is sound.
        assert.strictEqual(yield* ledger.record(applied(throwing.receipt, subject).request), "recorded")
      }))

    it.effect("a tenant sees neither another tenant's subscriptions nor its receipts", () =>
      Effect.gen(function*() {
        const ledger = yield* BillingLedger
        const owner = yield* tenantWithGuilds()
        const intruder = yield* tenantWithGuilds()
        const subject = memberOf(owner.tenantId, owner.guildIds[0])
        yield* ledger.record(applied(receiptOf(owner.tenantId), subject).request)
        assert.deepStrictEqual(yield* ledger.findSubscription(intruder.tenantId, subjectKey(subject)), Option.none())
        assert.deepStrictEqual(yield* ledger.listSubscriptions(intruder.tenantId, { limit: 10 }), [])
        assert.deepStrictEqual(yield* ledger.listReceipts(intruder.tenantId, { limit: 10 }), [])
        assert.strictEqual((yield* ledger.listSubscriptions(owner.tenantId, { limit: 10 })).length, 1)
      }))
  })
