import { Effect, Match, Option } from "effect"
import { JobFailed } from "../jobs/JobFailed.js"
import { JobKind } from "../jobs/JobKind.js"
import { PlanCatalog } from "../plans/PlanCatalog.js"
import { BillingLedger } from "../ports/BillingLedger.js"
import { type DiscordRoleError, DiscordRoles } from "../ports/DiscordRoles.js"
import { type PaymentProviderError, StripeGateway } from "../ports/PaymentGateways.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import { BillingEffect } from "./BillingEffect.js"

/** Discord said no: retry what may pass later, bury what needs an admin (retrying those gets the IP banned). */
const fromDiscord = (error: DiscordRoleError) =>
  new JobFailed({
    message: `${error.message} — ${error.remediation}`,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs
  })

const fromProvider = (error: PaymentProviderError) =>
  new JobFailed({ message: error.message, retryable: error.reason === "unavailable", retryAfterMs: null })

/** Carries out one billing effect. */
const perform = (effect: BillingEffect) =>
  Effect.gen(function*() {
    const discord = yield* DiscordRoles
    const tenants = yield* TenantRepo
    const stripe = yield* StripeGateway
    const ledger = yield* BillingLedger
    const catalog = yield* PlanCatalog
    return yield* Match.value(effect).pipe(
      Match.tagsExhaustive({
        GrantRole: (grant) =>
          discord.grant({ ...grant, reason: "Guildhall: paid role purchased" }).pipe(
            // A member who left gets the role back when they rejoin (PaidRoles.regrant).
            Effect.catchIf(
              (error) => error.reason === "unknown_member",
              () => Effect.logInfo("billing: member left the guild; the role is granted again when they rejoin")
            ),
            Effect.mapError(fromDiscord)
          ),
        RevokeRole: (revoke) =>
          discord.revoke({ ...revoke, reason: "Guildhall: paid role ended" }).pipe(
            Effect.catchIf(
              (error) => error.reason === "unknown_member" || error.reason === "unknown_role",
              () => Effect.void
            ),
            Effect.mapError(fromDiscord)
          ),
        SetTenantPlan: ({ planKey, tenantId }) =>
          catalog.plansByKey.has(planKey)
            ? Effect.asVoid(tenants.update(tenantId, { planKey }))
            // A plan the operator removed from the catalog (or metadata naming none): the tenant keeps its plan.
            : Effect.fail(JobFailed.permanent(
              `plan '${planKey}' is not in the plan catalog, so tenant ${tenantId} keeps its current plan; ` +
                "add the plan to GUILDHALL_PLANS and revive this job"
            )),
        EnterReadOnly: ({ tenantId }) =>
          Effect.flatMap(tenants.findById(tenantId), (tenant) =>
            // Only an active tenant goes read-only: a suspended or offboarding one stays as the operator left it.
            Option.exists(tenant, (t) => t.status === "active")
              ? Effect.asVoid(tenants.update(tenantId, { status: "read_only" }))
              : Effect.void),
        ExitReadOnly: ({ tenantId }) =>
          Effect.flatMap(tenants.findById(tenantId), (tenant) =>
            Option.exists(tenant, (t) => t.status === "read_only")
              ? Effect.asVoid(tenants.update(tenantId, { status: "active" }))
              : Effect.void),
        // Delivery to Discord (a DM, the admin channel) comes with the Discord runtime; until then the log is the channel.
        Notify: (notice) =>
          Effect.logWarning(`billing notice (${notice.kind}): ${notice.message}`).pipe(
            Effect.annotateLogs({ tenantId: notice.tenantId, guildId: notice.guildId, userId: notice.userId })
          ),
        ReportUsage: (usage) =>
          Effect.gen(function*() {
            const subscription = yield* ledger.findSubscription(usage.tenantId, "plan")
            const customerId = Option.flatMap(subscription, (state) => Option.fromNullable(state.customerId))
            if (Option.isNone(customerId)) {
              return yield* new JobFailed({
                message: `tenant ${usage.tenantId} has no Stripe customer to report '${usage.meter}' usage to`,
                retryable: false,
                retryAfterMs: null
              })
            }
            yield* stripe.reportUsage({
              eventName: usage.meter,
              customerId: customerId.value,
              value: usage.value,
              identifier: usage.identifier,
              timestamp: usage.timestamp
            }).pipe(Effect.mapError(fromProvider))
          }),
        ScheduleAt: () => Effect.void // enqueued as billing.timer jobs, never as themselves
      })
    )
  })

/** The effects that are jobs of their own (ScheduleAt arms a billing.timer job instead). */
export type EffectJobTag = Exclude<BillingEffect["_tag"], "ScheduleAt">

const effectKind = (tag: EffectJobTag) =>
  JobKind.make({ kind: `billing.${tag}`, payload: BillingEffect, handle: perform })

/**
 * The job kinds that carry out billing effects, `billing.<effect tag>` each.
 * Every one is idempotent, as the outbox delivers at least once: granting a
 * held role, setting the plan a tenant already has, or reporting usage under
 * an identifier Stripe has seen change nothing.
 */
export const billingEffectKinds = {
  GrantRole: effectKind("GrantRole"),
  RevokeRole: effectKind("RevokeRole"),
  SetTenantPlan: effectKind("SetTenantPlan"),
  EnterReadOnly: effectKind("EnterReadOnly"),
  ExitReadOnly: effectKind("ExitReadOnly"),
  Notify: effectKind("Notify"),
  ReportUsage: effectKind("ReportUsage")
} as const satisfies Record<EffectJobTag, JobKind.Any>
