import { DateTime, Duration, Effect, Option, Schema } from "effect"
import { Currency } from "../billing/Money.js"
import { type GuildId, GuildId as GuildIdSchema, TenantId } from "../ids.js"
import { JobFailed, type JobHandler } from "../jobs/JobHandlers.js"
import type { Recurring } from "../jobs/Recurring.js"
import { GuildRepo } from "../ports/GuildRepo.js"
import type { JobSpec } from "../ports/Jobs.js"
import { Jobs } from "../ports/Jobs.js"
import { PaidRoleRepo } from "../ports/PaidRoleRepo.js"
import { PaymentOrderRepo } from "../ports/PaymentOrderRepo.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import { HeldTransfer } from "./HeldTransfer.js"
import {
  HoldTransfer,
  holdTransferJobKind,
  ResolveHeld,
  resolveHeldJobKind,
  SettleOrder,
  settleOrderJobKind
} from "./orderJobs.js"
import { PaidRoles, reconcileGuildJobKind } from "./PaidRoles.js"

const ReconcileGuild = Schema.Struct({ tenantId: TenantId, guildId: GuildIdSchema })

const undecodable = (kind: string) => () =>
  JobFailed.permanent(`the ${kind} job's payload does not decode; it was not written by this version`)

/** Tenants walked per reconciliation run; past this the run logs that it stopped short. */
const tenantsPerReconciliation = 100_000

/** Every day, each guild that sells roles is compared with what members hold. */
export const reconcileAllPaidRoles = Effect.gen(function*() {
  const tenants = yield* TenantRepo
  const guilds = yield* GuildRepo
  const roles = yield* PaidRoleRepo
  const jobs = yield* Jobs
  const recurring: Recurring = {
    kind: "payments.reconcile_all",
    every: Duration.days(1),
    run: Effect.gen(function*() {
      const [all, now] = yield* Effect.all([tenants.list({ limit: tenantsPerReconciliation }), DateTime.now])
      let enqueued = 0
      for (const tenant of all) {
        for (const guild of yield* guilds.listByTenant(tenant.id)) {
          if (guild.status !== "installed" || (yield* roles.list(tenant.id, guild.guildId)).length === 0) continue
          yield* jobs.enqueue([reconcileGuildJob(tenant.id, guild.guildId, now)])
          enqueued++
        }
      }
      yield* Effect.logInfo(`paid roles: reconciliation enqueued for ${enqueued} guild(s)`)
    })
  }
  return recurring
})

/** One reconciliation per guild and UTC day, however many runs ask for it. */
const reconcileGuildJob = (tenantId: TenantId, guildId: GuildId, now: DateTime.Utc): JobSpec => ({
  tenantId,
  kind: reconcileGuildJobKind,
  payload: { tenantId, guildId },
  runAt: now,
  idempotencyKey: `${reconcileGuildJobKind}:${guildId}:${DateTime.formatIsoDateUtc(now)}`
})

/** Settling SePay orders and reconciling a guild's paid roles. */
export const paymentJobHandlers = Effect.gen(function*() {
  const orders = yield* PaymentOrderRepo
  const paidRoles = yield* PaidRoles

  const hold = (tenantId: TenantId, transfer: HoldTransfer) =>
    orders.hold(HeldTransfer.make({
      tenantId,
      transactionId: transfer.transactionId,
      orderId: transfer.orderId,
      amount: { minor: transfer.amountMinor, currency: transfer.currency },
      reason: transfer.reason,
      occurredAt: transfer.occurredAt,
      heldAt: transfer.heldAt,
      status: "held",
      resolvedAt: null,
      resolvedBy: null
    }))

  const settle: JobHandler = (job) =>
    Schema.decodeUnknown(SettleOrder)(job.payload).pipe(
      Effect.mapError(undecodable(job.kind)),
      Effect.flatMap((settlement) =>
        Effect.gen(function*() {
          const tenantId = TenantId.make(settlement.tenantId)
          const settled = yield* orders.settle(tenantId, settlement.orderId, settlement.expected, {
            status: settlement.status,
            receivedMinor: settlement.receivedMinor,
            overpaidMinor: settlement.overpaidMinor,
            transactionId: settlement.transactionId,
            settledAt: settlement.settledAt
          })
          // Not settled: this job's earlier run did (nothing to do), or the order changed since the transfer was
          // matched. A short transfer was only counted toward the order; hold it so the money is not lost.
          const { transfer } = settlement
          if (!settled && settlement.status === "underpaid" && transfer !== null && settlement.transactionId !== null) {
            const current = yield* orders.find(tenantId, settlement.orderId)
            const counted = Option.exists(
              current,
              (order) =>
                order.transactionId === settlement.transactionId && order.receivedMinor === settlement.receivedMinor
            )
            if (!counted) {
              yield* hold(tenantId, {
                tenantId,
                transactionId: settlement.transactionId,
                orderId: settlement.orderId,
                amountMinor: transfer.amountMinor,
                currency: Currency.make(transfer.currency),
                reason: "order_changed",
                occurredAt: transfer.occurredAt,
                heldAt: settlement.settledAt
              })
            }
          }
        })
      )
    )

  const holdHandler: JobHandler = (job) =>
    Schema.decodeUnknown(HoldTransfer)(job.payload).pipe(
      Effect.mapError(undecodable(job.kind)),
      Effect.flatMap((transfer) => hold(TenantId.make(transfer.tenantId), transfer))
    )

  const resolve: JobHandler = (job) =>
    Schema.decodeUnknown(ResolveHeld)(job.payload).pipe(
      Effect.mapError(undecodable(job.kind)),
      // false: an earlier run of this job resolved it.
      Effect.flatMap((resolution) =>
        orders.resolveHeld(TenantId.make(resolution.tenantId), resolution.transactionId, {
          status: resolution.status,
          resolvedAt: resolution.resolvedAt,
          resolvedBy: resolution.resolvedBy
        })
      ),
      Effect.asVoid
    )

  const reconcile: JobHandler = (job) =>
    Schema.decodeUnknown(ReconcileGuild)(job.payload).pipe(
      Effect.mapError(undecodable(job.kind)),
      Effect.flatMap(({ guildId, tenantId }) => paidRoles.reconcileGuild(tenantId, guildId)),
      Effect.catchTags({
        // Removed since the reconciliation was scheduled: nothing to reconcile.
        GuildNotFound: () => Effect.void,
        DiscordRoleError: (error) =>
          Effect.fail(
            new JobFailed({
              message: `${error.message} — ${error.remediation}`,
              retryable: error.retryable,
              retryAfterMs: error.retryAfterMs
            })
          )
      }),
      Effect.asVoid
    )

  return new Map<string, JobHandler>([
    [settleOrderJobKind, settle],
    [holdTransferJobKind, holdHandler],
    [resolveHeldJobKind, resolve],
    [reconcileGuildJobKind, reconcile]
  ])
})
