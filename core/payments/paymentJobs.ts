import { DateTime, Duration, Effect, Schema } from "effect"
import { GuildId, TenantId } from "../ids.js"
import { JobFailed } from "../jobs/JobFailed.js"
import { JobKind } from "../jobs/JobKind.js"
import { Recurring } from "../jobs/Recurring.js"
import { GuildRepo } from "../ports/GuildRepo.js"
import { Jobs } from "../ports/Jobs.js"
import { PaidRoleRepo } from "../ports/PaidRoleRepo.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import { PaidRoles } from "./PaidRoles.js"

/** Compares one guild's paid roles with what its members hold, and fixes the difference. */
export const reconcileGuildKind = JobKind.make({
  kind: "payments.reconcile_guild",
  payload: Schema.Struct({ tenantId: TenantId, guildId: GuildId }),
  handle: ({ guildId, tenantId }) =>
    Effect.flatMap(PaidRoles, (paidRoles) => paidRoles.reconcileGuild(tenantId, guildId)).pipe(
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
})

/** Tenants walked per reconciliation run; past this the run logs that it stopped short. */
const tenantsPerReconciliation = 100_000

/** Every day, each guild that sells roles is compared with what members hold. */
export const reconcileAllPaidRoles = Recurring.make({
  kind: "payments.reconcile_all",
  every: Duration.days(1),
  work: Effect.gen(function*() {
    const tenants = yield* TenantRepo
    const guilds = yield* GuildRepo
    const roles = yield* PaidRoleRepo
    const jobs = yield* Jobs
    const [all, now] = yield* Effect.all([tenants.list({ limit: tenantsPerReconciliation }), DateTime.now])
    let enqueued = 0
    for (const tenant of all) {
      for (const guild of yield* guilds.listByTenant(tenant.id)) {
        if (guild.status !== "installed" || (yield* roles.list(tenant.id, guild.guildId)).length === 0) continue
        // One reconciliation per guild and UTC day, however many runs ask for it.
        yield* jobs.enqueue([reconcileGuildKind.spec({
          tenantId: tenant.id,
          payload: { tenantId: tenant.id, guildId: guild.guildId },
          runAt: now,
          idempotencyKey: `${reconcileGuildKind.kind}:${guild.guildId}:${DateTime.formatIsoDateUtc(now)}`
        })])
        enqueued++
      }
    }
    yield* Effect.logInfo(`paid roles: reconciliation enqueued for ${enqueued} guild(s)`)
  })
})
