import { DateTime, Duration } from "effect"
import type { GuildId, TenantId } from "../ids.js"
import { CommandSyncState } from "../ports/CommandSyncRepo.js"
import { type ApplicationId, type DiscordCommandsError, nextDailyReset } from "../ports/DiscordCommands.js"

/**
 * What a guild's command sync does, decided from the stored state: PUT the
 * desired set, leave it (Discord has it), or wait for the daily create limit
 * (30034) to reset; and what a refusal leaves behind. Pure; CommandSync
 * reads and writes the state and talks to Discord.
 */

/** What one guild's sync did. */
export type GuildSyncResult =
  /** Discord accepted the guild's new set. */
  | { readonly _tag: "put"; readonly tenantId: TenantId; readonly hash: string; readonly commandCount: number }
  /** Discord already has the desired set: no call made. */
  | { readonly _tag: "unchanged"; readonly tenantId: TenantId }
  /**
   * The daily create limit blocks the guild until `until` (a job syncs it then). `refusedNow`: this sync's
   * PUT was refused; otherwise no call was made.
   */
  | {
    readonly _tag: "blocked"
    readonly tenantId: TenantId
    readonly until: DateTime.Utc
    readonly refusedNow: boolean
  }
  /** No tenant has the guild installed: nothing to register. */
  | { readonly _tag: "not_installed" }
  /** Discord refused for another reason (recorded as the guild's lastError; transient ones are retried by a job). */
  | { readonly _tag: "failed"; readonly tenantId: TenantId; readonly error: DiscordCommandsError }

export interface SyncCounts {
  readonly put: number
  readonly unchanged: number
  readonly blocked: number
  readonly failed: number
  readonly notInstalled: number
}

/** What an admin sees of a guild's commands at Discord (/status). */
export interface CommandSyncStatus {
  /** When Discord last accepted the set; null: never. */
  readonly syncedAt: DateTime.Utc | null
  /** Until when the daily limit blocks updates; null: not blocked (or the block has passed). */
  readonly blockedUntil: DateTime.Utc | null
  readonly lastError: CommandSyncState["lastError"]
}

/** Wait after a transient refusal that named no delay. */
const defaultRetryDelay = Duration.minutes(1)

/** A guild never synced. */
export const neverSynced = (tenantId: TenantId, guildId: GuildId, applicationId: ApplicationId): CommandSyncState =>
  CommandSyncState.make({
    tenantId,
    guildId,
    applicationId,
    hash: null,
    syncedAt: null,
    blockedUntil: null,
    lastError: null
  })

export type SyncPlan =
  /** Discord has the set; `cleared` is the state without a refusal that no longer applies (a change undone). */
  | { readonly _tag: "unchanged"; readonly cleared: CommandSyncState | null }
  | { readonly _tag: "blocked"; readonly until: DateTime.Utc }
  | { readonly _tag: "put" }

/** Whether to PUT the set hashing to `hash`; `force` PUTs even when Discord should have it (a rejoin). */
export const planSync = (state: CommandSyncState, hash: string, now: DateTime.Utc, force: boolean): SyncPlan => {
  if (state.hash === hash && !force) {
    const refused = state.lastError !== null || state.blockedUntil !== null
    return {
      _tag: "unchanged",
      cleared: refused ? CommandSyncState.make({ ...state, blockedUntil: null, lastError: null }) : null
    }
  }
  if (state.blockedUntil !== null && DateTime.lessThan(now, state.blockedUntil)) {
    return { _tag: "blocked", until: state.blockedUntil }
  }
  return { _tag: "put" }
}

/** The state after Discord accepted the set hashing to `hash`. */
export const accepted = (state: CommandSyncState, hash: string, now: DateTime.Utc): CommandSyncState =>
  CommandSyncState.make({ ...state, hash, syncedAt: now, blockedUntil: null, lastError: null })

export type SyncRefusal =
  /** The daily limit: blocked until `until`, when a job syncs again. */
  | { readonly _tag: "blocked"; readonly state: CommandSyncState; readonly until: DateTime.Utc }
  /** Another refusal; `retryAt`: when to try again (a transient one), null: the admin must act. */
  | { readonly _tag: "failed"; readonly state: CommandSyncState; readonly retryAt: DateTime.Utc | null }

/** What Discord's refusal of a PUT leaves: the state to save, and when to try again. */
export const refusal = (state: CommandSyncState, error: DiscordCommandsError, now: DateTime.Utc): SyncRefusal => {
  const lastError = { reason: error.reason, message: error.message, remediation: error.remediation, at: now }
  if (error.reason === "daily_limit") {
    const until = error.retryAt ?? nextDailyReset(now)
    return { _tag: "blocked", state: CommandSyncState.make({ ...state, blockedUntil: until, lastError }), until }
  }
  const delay = error.retryAfterMs === null ? defaultRetryDelay : Duration.millis(Math.max(error.retryAfterMs, 1_000))
  return {
    _tag: "failed",
    state: CommandSyncState.make({ ...state, blockedUntil: null, lastError }),
    retryAt: error.retryable ? DateTime.addDuration(now, delay) : null
  }
}

/** The admin's view of a stored state: a block that has passed is not shown. */
export const statusOf = (state: CommandSyncState, now: DateTime.Utc): CommandSyncStatus => ({
  syncedAt: state.syncedAt,
  blockedUntil: state.blockedUntil !== null && DateTime.lessThan(now, state.blockedUntil) ? state.blockedUntil : null,
  lastError: state.lastError
})

/** Totals of a run over many guilds; a guild whose sync died counts as failed. */
export const countsOf = (results: ReadonlyArray<GuildSyncResult["_tag"] | "defect">): SyncCounts => ({
  put: results.filter((tag) => tag === "put").length,
  unchanged: results.filter((tag) => tag === "unchanged").length,
  blocked: results.filter((tag) => tag === "blocked").length,
  failed: results.filter((tag) => tag === "failed" || tag === "defect").length,
  notInstalled: results.filter((tag) => tag === "not_installed").length
})
