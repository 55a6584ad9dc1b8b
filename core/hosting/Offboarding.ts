import { Context, DateTime, Effect, Layer, Option, type Redacted, Schema } from "effect"
import type { InvalidInput } from "../errors.js"
import type { TenantId } from "../ids.js"
import { JobFailed } from "../jobs/JobFailed.js"
import { JobKind } from "../jobs/JobKind.js"
import { Licenses } from "../licensing/Licenses.js"
import type { UnknownPlan } from "../plans/PlanCatalog.js"
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
  type OffboardingStepName
} from "./OffboardingFlow.js"
import { cancelRefusal, type FlowNotCancellable, nextStep, OffboardingPolicy, planSteps } from "./offboardingPlan.js"

export class FlowNotFound extends Schema.TaggedError<FlowNotFound>()("FlowNotFound", {
  flowId: Schema.String,
  message: Schema.String
}) {
  static of(flowId: string) {
    return new FlowNotFound({ flowId, message: `No offboarding flow ${flowId} for this tenant` })
  }
}

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
    return jobs.enqueue([offboardingStepKind.spec({
      tenantId: flow.tenantId,
      payload: { flowId: flow.id, step: index },
      runAt: step.at,
      idempotencyKey: `${offboardingStepKind.kind}:${flow.id}:${index}`
    })])
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
        steps: planSteps(input.kind, now, input.retireAt, policy),
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

  /** One step's job: runs it if the flow still runs and the step is not done, records it, schedules the next. */
  const runStepJob = (flowId: OffboardingFlowId, index: number) =>
    Effect.gen(function*() {
      const found = yield* repo.findAnyTenant(flowId)
      if (Option.isNone(found) || found.value.status !== "running") return
      const flow = found.value
      const step = flow.steps[index]
      if (step === undefined) return yield* JobFailed.permanent(`flow ${flow.id} has no step ${index}`)
      const next = nextStep(flow)
      if (step.doneAt !== null || next !== index) {
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
      const steps = flow.steps.map((s, i) => (i === index ? { ...s, doneAt: now } : s))
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
      const now = yield* DateTime.now
      const refusal = cancelRefusal(flow, now)
      if (refusal !== null) return yield* refusal
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

  return { start, cancel, get, list: repo.list, runStepJob } satisfies OffboardingService
})

/** What stays of a purged tenant: a platform audit event under this subject (a hash, not the id). */
export const purgedSubject = (sha256Hex: (text: string) => string, tenantId: TenantId) =>
  `tenant:${sha256Hex(`guildhall-tenant/${tenantId}`)}`

/** The offboarding flows (ADR 083): move to self-host, remove the bot, non-payment. Each step is a job. */
export interface OffboardingService {
  /**
   * Starts a flow: its steps are planned, the first step's job enqueued. A
   * move to self-host issues the license at once, so its key (shown once)
   * goes back to the caller.
   */
  readonly start: (
    tenantId: TenantId,
    input: StartFlow
  ) => Effect.Effect<
    { readonly flow: OffboardingFlow; readonly licenseKey: Redacted.Redacted<string> | null },
    TenantNotFound | FlowAlreadyRunning | UnknownPlan | InvalidInput
  >
  /** Stops a flow before its last step; a tenant it retired gets its status back. */
  readonly cancel: (
    tenantId: TenantId,
    flowId: OffboardingFlowId,
    actor: string
  ) => Effect.Effect<OffboardingFlow, FlowNotFound | FlowNotCancellable>
  readonly get: (tenantId: TenantId, flowId: OffboardingFlowId) => Effect.Effect<OffboardingFlow, FlowNotFound>
  readonly list: (tenantId: TenantId) => Effect.Effect<ReadonlyArray<OffboardingFlow>>
  /** Runs step `index` of a flow (the offboarding.step job): once, in order, while the flow runs. */
  readonly runStepJob: (flowId: OffboardingFlowId, index: number) => Effect.Effect<void, JobFailed>
}

export class Offboarding extends Context.Tag("core/Offboarding")<Offboarding, OffboardingService>() {
  static readonly layer = Layer.effect(Offboarding, make)
}

/** One step of a flow, run at its time. */
export const offboardingStepKind = JobKind.make({
  kind: "offboarding.step",
  payload: Schema.Struct({ flowId: OffboardingFlowId, step: Schema.Int }),
  handle: ({ flowId, step }) => Effect.flatMap(Offboarding, (offboarding) => offboarding.runStepJob(flowId, step))
})
