import { DateTime, Effect, Option } from "effect"
import { effectJobs } from "../billing/Billing.js"
import { hasAccess } from "../billing/Subscription.js"
import type { GuildId, TenantId, UserId } from "../ids.js"
import { BillingLedger } from "../ports/BillingLedger.js"
import { type DiscordRoleError, DiscordRoles } from "../ports/DiscordRoles.js"
import { GuildRepo } from "../ports/GuildRepo.js"
import { Jobs } from "../ports/Jobs.js"
import type { GuildNotFound } from "../tenancy/errors.js"
import { requireInstalledGuild } from "./PaidRoleCatalog.js"

/** Keeping the roles members hold in Discord in line with the subscriptions they paid for. */
export const makePaidRoleReconciliation = Effect.gen(function*() {
  const guilds = yield* GuildRepo
  const ledger = yield* BillingLedger
  const jobs = yield* Jobs
  const discord = yield* DiscordRoles

  /** A member (re)joined: grants again every paid role they still have access to. */
  const regrant = (tenantId: TenantId, guildId: GuildId, userId: UserId) =>
    Effect.gen(function*() {
      const now = yield* DateTime.now
      const held = yield* ledger.listSubscriptions(tenantId, { guildId, userId, limit: 1_000 })
      const grants = held.filter(hasAccess).flatMap((state) =>
        state.subject._tag === "MemberRole" ? [{ ...state.subject, _tag: "GrantRole" as const }] : []
      )
      yield* jobs.enqueue(
        effectJobs(grants, { provider: "rejoin", providerEventId: `${guildId}:${userId}:${now.epochMillis}` }, now)
      )
      return grants.length
    })

  /**
   * Compares the roles members should hold in the guild with the roles they
   * hold, and enqueues the grants and revokes that close the gap.
   */
  const reconcileGuild = (tenantId: TenantId, guildId: GuildId): Effect.Effect<
    { readonly granted: number; readonly revoked: number },
    DiscordRoleError | GuildNotFound
  > =>
    Effect.gen(function*() {
      // The bot is no longer in a removed guild: there is nothing it could grant or revoke there.
      yield* requireInstalledGuild(guilds, tenantId, guildId)
      const now = yield* DateTime.now
      const subscriptions = yield* ledger.listSubscriptions(tenantId, { guildId, limit: 100_000 })
      const fixes = []
      for (const state of subscriptions) {
        if (state.subject._tag !== "MemberRole") continue
        const held = yield* discord.memberRoles(guildId, state.subject.userId)
        if (Option.isNone(held)) continue // not a member: granted again on rejoin
        const holds = held.value.includes(state.subject.roleId)
        if (hasAccess(state) && !holds) fixes.push({ ...state.subject, _tag: "GrantRole" as const })
        if (!hasAccess(state) && holds) fixes.push({ ...state.subject, _tag: "RevokeRole" as const })
      }
      yield* jobs.enqueue(
        effectJobs(fixes, { provider: "reconcile", providerEventId: `${guildId}:${now.epochMillis}` }, now)
      )
      return {
        granted: fixes.filter((fix) => fix._tag === "GrantRole").length,
        revoked: fixes.filter((fix) => fix._tag === "RevokeRole").length
      }
    })

  return { regrant, reconcileGuild } as const
})
