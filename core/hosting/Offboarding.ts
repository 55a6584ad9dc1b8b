import { Context, DateTime, Duration, Effect, Layer, Option, Schema } from "effect"
import type { TenantId } from "../ids.js"
import { JobFailed, type JobHandler } from "../jobs/JobHandlers.js"
import { Licenses } from "../licensing/Licenses.js"
import { AuditLog } from "../ports/AuditLog.js"
import { Crypto } from "../ports/Crypto.js"
import { Jobs } from "../ports/Jobs.js"
import { FlowAlreadyRunning, OffboardingRepo } from "../ports/OffboardingRepo.js"
import { TenantData } from "../ports/TenantData.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import { TenantNotFound } from "../tenancy/errors.js"
import type { Tenant } from "../tenancy/Tenant.js"
import { auditTrail } from "./auditTrail.js"
import { Exports } from "./Exports.js"
import {
  OffboardingFlow,
  OffboardingFlowId,
  type OffboardingKind,
  type OffboardingStep,
  type OffboardingStepName
} from "./OffboardingFlow.js"

export class FlowNotFound extends Schema.TaggedError<FlowNotFound>()("FlowNotFound", {
  flowId: Schema.String,
  message: Schema.String
}) {
  static of(flowId: string) {
    return new FlowNotFound({ flowId, message: `No offboarding flow ${flowId} for this tenant` })
  }
}

/** The flow is done or cancelled, or its last step has begun: there is nothing left to cancel. */
export class FlowNotCancellable extends Schema.TaggedError<FlowNotCancellable>()("FlowNotCancellable", {
  message: Schema.String
}) {}

/**
 * How long a removed or unpaid tenant's data is kept before the purge, how
 * long an unpaid one stays read-only when no subscription says, and what
 * non-payment leads to: "offboard" (the non-payment flow: retire, then purge)
 * or "downgrade" (billing alone: the fallback plan when read-only ends).
 */
export interface OffboardingPolicyService {
  readonly retention: Duration.Duration
  readonly readOnlyBeforeRetire: Duration.Duration
  readonly nonPayment: "offboard" | "downgrade"
}

export class OffboardingPolicy extends Context.Tag("core/OffboardingPolicy")<
  OffboardingPolicy,
  OffboardingPolicyService
>() {
  static readonly defaults: OffboardingPolicyService = {
    retention: Duration.days(30),
    readOnlyBeforeRetire: Duration.days(14),
    nonPayment: "offboard"
  }
  static readonly layer = (policy: Partial<OffboardingPolicyService> = {}) =>
    Layer.succeed(OffboardingPolicy, { ...OffboardingPolicy.defaults, ...policy })
}

export const offboardingStepJobKind = "offboarding.step"
const StepPayload = Schema.Struct({ flowId: OffboardingFlowId, step: Schema.Int })

/** What starts a flow: when to retire (move, non-payment) and who asked. */
export interface StartFlow {
  readonly kind: OffboardingKind
  readonly startedBy: string
  /** move_to_self_host: when the hosted runner stops serving (default now). */
  readonly retireAt?: DateTime.Utc | undefined
}

const make = Effect.gen(function*() {
  const repo = yield* OffboardingRepo
  const tenants = yield* TenantRepo
  const data = yield* TenantData
  const exports = yield* Exports
  const licenses = yield* Licenses
  const jobs = yield* Jobs
  const audit = yield* AuditLog
  const crypto = yield* Crypto
  const policy = yield* OffboardingPolicy

  const record = auditTrail(audit, crypto)

  const stepJob = (flow: OffboardingFlow, index: number) => {
    const step = flow.steps[index]!
    return jobs.enqueue([{
      tenantId: flow.tenantId,
      kind: offboardingStepJobKind,
      payload: { flowId: flow.id, step: index },
      runAt: step.at,
      idempotencyKey: `${offboardingStepJobKind}:${flow.id}:${index}`
    }])
  }

  const planSteps = (kind: OffboardingKind, now: DateTime.Utc, retireAt: DateTime.Utc | undefined) => {
    const step = (
      name: OffboardingStepName,
      at: DateTime.Utc,
      doneAt: DateTime.Utc | null = null
    ): OffboardingStep => ({
      name,
      at,
      doneAt
    })
    switch (kind) {
      case "move_to_self_host":
        return [step("export", now), step("issue_license", now, now), step("retire", retireAt ?? now)]
      case "remove_bot":
        return [
          step("retire", now),
          step("revoke_license", now),
          step("purge", DateTime.addDuration(now, policy.retention))
        ]
      case "non_payment": {
        const retire = retireAt ?? DateTime.addDuration(now, policy.readOnlyBeforeRetire)
        return [
          step("export", now),
          step("retire", retire),
          step("purge", DateTime.addDuration(retire, policy.retention))
        ]
      }
    }
  }

  const tenantOf = (tenantId: TenantId) =>
    Effect.flatMap(
      tenants.findById(tenantId),
      Option.match({ onNone: () => Effect.fail(TenantNotFound.of(tenantId)), onSome: Effect.succeed })
    )

  /**
   * Starts a flow: its steps are planned, the first step's job enqueued. A
   * move to self-host issues the license at once, so its key (shown once)
   * goes back to the caller.
   */
  const start = (tenantId: TenantId, input: StartFlow) =>
    Effect.gen(function*() {
      const tenant = yield* tenantOf(tenantId)
      if ((yield* repo.list(tenantId)).some((flow) => flow.status === "running")) {
        return yield* new FlowAlreadyRunning({
          message: "The tenant already has an offboarding flow running; cancel it before starting another"
        })
      }
      // The license first: a flow is never left running without the license it promised.
      const issued = input.kind === "move_to_self_host"
        ? yield* licenses.issue(tenantId, { planKey: tenant.planKey })
        : undefined
      const now = yield* DateTime.now
      const flow = new OffboardingFlow({
        id: OffboardingFlowId.make(yield* crypto.uuid),
        tenantId,
        kind: input.kind,
        status: "running",
        steps: planSteps(input.kind, now, input.retireAt),
        context: issued === undefined
          ? { startedBy: input.startedBy }
          : { startedBy: input.startedBy, licenseId: issued.license.id },
        createdAt: now,
        updatedAt: now
      })
      yield* repo.insert(flow)
      yield* record(tenantId, input.startedBy, "offboarding.started", flow.id, {
        kind: flow.kind,
        steps: flow.steps.map((step) => ({ name: step.name, at: DateTime.formatIso(step.at) }))
      })
      if (issued !== undefined) {
        yield* record(tenantId, input.startedBy, "offboarding.step.issue_license", flow.id, {
          licenseId: issued.license.id
        })
      }
      yield* stepJob(flow, nextStep(flow) ?? 0)
      return { flow, licenseKey: issued?.key ?? null }
    })

  const nextStep = (flow: OffboardingFlow): number | undefined => {
    const index = flow.steps.findIndex((step) => step.doneAt === null)
    return index === -1 ? undefined : index
  }

  /** Runs one step's action. Each is idempotent: a step run twice (a crash before it was recorded) changes nothing more. */
  const runStep = (flow: OffboardingFlow, tenant: Tenant, name: OffboardingStepName) =>
    Effect.gen(function*() {
      switch (name) {
        case "export": {
          if (flow.context.exportId !== undefined) return { context: flow.context, detail: {} }
          const exported = yield* exports.exportNow(flow.tenantId, "offboarding")
          // Delivered like billing's notices (the log, until notices reach Discord); the audit keeps it too.
          yield* Effect.logWarning(
            `offboarding notice: tenant ${flow.tenantId}'s data export ${exported.id} is ${exported.status}; ` +
              `download it from GET /exports/${exported.id} (POST /exports makes a fresh one until the data is purged)`
          ).pipe(Effect.annotateLogs({ tenantId: flow.tenantId, flowId: flow.id }))
          return {
            context: { ...flow.context, exportId: exported.id },
            detail: { exportId: exported.id, status: exported.status, link: `/exports/${exported.id}` }
          }
        }
        case "issue_license":
          return { context: flow.context, detail: {} }
        case "retire": {
          if (tenant.status === "retired") return { context: flow.context, detail: {} }
          yield* tenants.update(flow.tenantId, { status: "retired" })
          return {
            context: { ...flow.context, statusBeforeRetire: tenant.status },
            detail: { statusBefore: tenant.status }
          }
        }
        case "revoke_license": {
          const held = yield* Effect.orDie(licenses.list(flow.tenantId))
          const revoked = yield* Effect.forEach(
            held.filter((license) => license.status !== "revoked"),
            (license) => Effect.as(Effect.orDie(licenses.revoke(flow.tenantId, license.id)), license.id)
          )
          return { context: flow.context, detail: { revoked } }
        }
        case "purge":
          return { context: flow.context, detail: {} }
      }
    })

  /** The last step: every row of the tenant goes, this flow's too; a platform event with a hash of the id remains. */
  const purge = (flow: OffboardingFlow) =>
    Effect.gen(function*() {
      const deleted = yield* data.purge(flow.tenantId).pipe(
        Effect.mapError((error) => JobFailed.permanent(`offboarding purge: ${error.message}`))
      )
      const rows = deleted.reduce((sum, table) => sum + table.rows, 0)
      const subject = purgedSubject(crypto.sha256Hex, flow.tenantId)
      yield* record(null, "system", "offboarding.purged", subject, {
        kind: flow.kind,
        rows,
        tables: deleted.filter((table) => table.rows > 0).map((table) => table.table)
      })
      yield* Effect.logInfo(`offboarding: purged ${rows} row(s) of tenant ${flow.tenantId}`)
    })

  /** The job of one step: runs it if the flow still runs and the step is not done, records it, schedules the next. */
  const stepHandler: JobHandler = (job) =>
    Effect.gen(function*() {
      const payload = yield* Schema.decodeUnknown(StepPayload)(job.payload).pipe(
        Effect.mapError(() => JobFailed.permanent("the offboarding.step payload does not decode"))
      )
      const found = yield* repo.findAnyTenant(payload.flowId)
      if (Option.isNone(found) || found.value.status !== "running") return
      const flow = found.value
      const step = flow.steps[payload.step]
      if (step === undefined) return yield* JobFailed.permanent(`flow ${flow.id} has no step ${payload.step}`)
      const next = nextStep(flow)
      if (step.doneAt !== null || next !== payload.step) {
        // Done already (a crash after recording it): make sure the step after it is scheduled.
        if (next !== undefined) yield* stepJob(flow, next)
        return
      }
      if (step.name === "purge") return yield* purge(flow)
      const tenant = yield* tenants.findById(flow.tenantId)
      if (Option.isNone(tenant)) return
      const outcome = yield* runStep(flow, tenant.value, step.name).pipe(
        Effect.catchAll((error) => Effect.fail(JobFailed.retryable(`offboarding ${step.name}: ${error.message}`)))
      )
      const now = yield* DateTime.now
      const steps = flow.steps.map((s, i) => (i === payload.step ? { ...s, doneAt: now } : s))
      const done = steps.every((s) => s.doneAt !== null)
      const updated = new OffboardingFlow({
        ...flow,
        steps,
        context: outcome.context,
        status: done ? "done" : "running",
        updatedAt: now
      })
      yield* repo.update(updated)
      yield* record(flow.tenantId, "system", `offboarding.step.${step.name}`, flow.id, outcome.detail)
      const following = nextStep(updated)
      if (following !== undefined) yield* stepJob(updated, following)
      else yield* record(flow.tenantId, "system", "offboarding.done", flow.id, { kind: flow.kind })
    })

  /** Stops a flow before its last step; a tenant it retired gets its status back. */
  const cancel = (tenantId: TenantId, flowId: OffboardingFlowId, actor: string) =>
    Effect.gen(function*() {
      const flow = yield* Effect.flatMap(
        repo.find(tenantId, flowId),
        Option.match({ onNone: () => Effect.fail(FlowNotFound.of(flowId)), onSome: Effect.succeed })
      )
      const last = flow.steps[flow.steps.length - 1]!
      if (flow.status !== "running" || last.doneAt !== null) {
        return yield* new FlowNotCancellable({ message: `The flow is ${flow.status}; there is nothing left to cancel` })
      }
      const now = yield* DateTime.now
      if (
        last.name === "purge" && flow.steps.slice(0, -1).every((s) => s.doneAt !== null) &&
        !DateTime.lessThan(now, last.at)
      ) {
        return yield* new FlowNotCancellable({ message: "The purge is due and may be running; it cannot be cancelled" })
      }
      const cancelled = new OffboardingFlow({ ...flow, status: "cancelled", updatedAt: now })
      yield* repo.update(cancelled)
      const before = flow.context.statusBeforeRetire
      if (before !== undefined) {
        const tenant = yield* tenants.findById(tenantId)
        if (Option.exists(tenant, (t) => t.status === "retired")) yield* tenants.update(tenantId, { status: before })
      }
      yield* record(tenantId, actor, "offboarding.cancelled", flow.id, { restoredStatus: before ?? null })
      return cancelled
    })

  const get = (tenantId: TenantId, flowId: OffboardingFlowId) =>
    Effect.flatMap(
      repo.find(tenantId, flowId),
      Option.match({ onNone: () => Effect.fail(FlowNotFound.of(flowId)), onSome: Effect.succeed })
    )

  return {
    start,
    cancel,
    get,
    list: repo.list,
    jobHandlers: { [offboardingStepJobKind]: stepHandler } as Readonly<Record<string, JobHandler>>
  }
})

/** What stays of a purged tenant: a platform audit event under this subject (a hash, not the id). */
export const purgedSubject = (sha256Hex: (text: string) => string, tenantId: TenantId) =>
  `tenant:${sha256Hex(`guildhall-tenant/${tenantId}`)}`

/** The offboarding flows (ADR 083): move to self-host, remove the bot, non-payment. Each step is a job. */
export class Offboarding extends Context.Tag("core/Offboarding")<Offboarding, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Offboarding, make)
}
