import { Context, DateTime, Effect, Layer, Option, Ref } from "effect"
import { Permission } from "../features/Permissions.js"
import type { GuildId, TenantId } from "../ids.js"
import { Crypto } from "../ports/Crypto.js"
import { GuildClaim, GuildClaimRepo, UnclaimedGuild } from "../ports/GuildClaimRepo.js"
import { GuildRepo } from "../ports/GuildRepo.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import type { TenantNotFound } from "../tenancy/errors.js"
import { Tenancy } from "../tenancy/Tenancy.js"
import {
  type AvailableGuild,
  ClaimTooLate,
  claimWindow,
  GuildInstallOutcome,
  type GuildRemovalOutcome,
  type InstallMode,
  type InviteLinkOptions,
  type Refusal,
  UnclaimedGuildNotFound
} from "./guildInstallOutcomes.js"
import { InviteSigningKey } from "./InviteSigningKey.js"
import { type InvalidInviteState, signInviteState, verifyInviteState } from "./InviteState.js"

/**
 * How a guild the bot is in gets its tenant (ADR 070). Hosted: from the
 * signed `state` of the invite link its admin used, which reaches us in the
 * OAuth callback before or after the gateway's GUILD_CREATE; without one the
 * guild waits as unclaimed for the operator. Self-host: the single tenant.
 *
 * The callback and the GUILD_CREATE may run at once on different replicas:
 * each writes its half first (the claim, the sighting) and then reads the
 * other's, so at least one of them sees both and installs. Both may; the
 * second install is an idempotent "Updated".
 */

/** What the bot asks for when it is added: see channels, post, embed, and manage the roles it sells. */
export * from "./guildInstallOutcomes.js"

export const defaultBotPermissions = Permission.ViewChannel | Permission.SendMessages | Permission.EmbedLinks |
  Permission.ManageRoles

const refusalOf = (error: Refusal): Refusal => ({
  _tag: error._tag,
  message: error.message,
  remediation: error.remediation
})

const make = (mode: InstallMode) =>
  Effect.gen(function*() {
    const tenancy = yield* Tenancy
    const guilds = yield* GuildRepo
    const tenants = yield* TenantRepo
    const claims = yield* GuildClaimRepo
    const key = yield* InviteSigningKey
    const withCrypto = Effect.provideService(Crypto, yield* Crypto)
    const selfHostTenant = yield* Ref.make(Option.none<TenantId>())

    /** Installs (or refreshes) under `tenantId`; a refusal is an outcome, not a failure. */
    const install = (tenantId: TenantId, guild: AvailableGuild) =>
      tenancy.installGuild({ tenantId, guildId: guild.guildId, name: guild.name, ownerId: guild.ownerId }).pipe(
        Effect.map(({ asset, outcome }) => GuildInstallOutcome[outcome]({ tenantId, guild: asset.guild })),
        Effect.catchAll((error) =>
          Effect.succeed(
            GuildInstallOutcome.Refused({
              guildId: guild.guildId,
              tenantId: Option.some(tenantId),
              refusal: refusalOf(error)
            })
          )
        )
      )

    /**
     * After an install attempt: a new install uses up the claims and is no
     * longer unclaimed; a refusal uses up the claims and the guild stays
     * unclaimed (a new invite, once the cause is fixed, claims it again).
     */
    const settle = (guildId: GuildId, outcome: GuildInstallOutcome) =>
      Effect.gen(function*() {
        if (outcome._tag === "Installed" || outcome._tag === "Restored") {
          yield* claims.deleteClaims(guildId)
          yield* claims.deleteUnclaimed(guildId)
        }
        if (outcome._tag === "Refused") {
          yield* claims.deleteClaims(guildId)
          yield* Effect.logWarning(`guild ${guildId} was not installed: ${outcome.refusal.message}`).pipe(
            Effect.annotateLogs({ guildId, reason: outcome.refusal._tag })
          )
        }
        return outcome
      })

    const installedRow = (guildId: GuildId) =>
      Effect.map(guilds.findAnyTenant(guildId), Option.filter((guild) => guild.status === "installed"))

    /** Whether a claim made at `claimedAt` may take a guild first seen at `seenAt`. */
    const withinWindow = (seenAt: DateTime.Utc, claimedAt: DateTime.Utc) =>
      DateTime.greaterThanOrEqualTo(seenAt, DateTime.subtractDuration(claimedAt, claimWindow))

    /** The self-host install's one tenant, created by the first boot (remembered once found). */
    const theSelfHostTenant = Effect.gen(function*() {
      const known = yield* Ref.get(selfHostTenant)
      if (Option.isSome(known)) return known
      const [tenant] = yield* tenants.list({ limit: 1 })
      const found = Option.fromNullable(tenant?.id)
      yield* Ref.set(selfHostTenant, found)
      return found
    })

    const inviteUrl = (tenantId: TenantId, options: InviteLinkOptions) =>
      Effect.gen(function*() {
        yield* tenancy.getTenant(tenantId)
        const { expiresAt, state } = yield* signInviteState(tenantId, yield* DateTime.now, key)
        const query = new URLSearchParams({
          client_id: options.applicationId,
          scope: "bot applications.commands",
          permissions: options.permissions.toString(),
          integration_type: "0",
          response_type: "code",
          redirect_uri: options.redirectUri,
          state
        })
        return { url: `https://discord.com/oauth2/authorize?${query.toString()}`, expiresAt } as const
      }).pipe(withCrypto)

    const claim = (state: string, guildId: GuildId): Effect.Effect<GuildInstallOutcome, InvalidInviteState> =>
      Effect.gen(function*() {
        const now = yield* DateTime.now
        const { tenantId } = yield* verifyInviteState(state, now, key).pipe(withCrypto)
        const tenant = yield* Effect.either(tenancy.getTenant(tenantId))
        if (tenant._tag === "Left") {
          return GuildInstallOutcome.Refused({ guildId, tenantId: Option.some(tenantId), refusal: tenant.left })
        }
        const installed = yield* installedRow(guildId)
        if (Option.isSome(installed)) return yield* settle(guildId, yield* install(tenantId, installed.value))

        const pending = GuildClaim.make({
          guildId,
          tenantId,
          claimedAt: now,
          expiresAt: DateTime.addDuration(now, claimWindow)
        })
        yield* claims.putClaim(pending)
        const seen = yield* claims.findUnclaimed(guildId)
        if (Option.isNone(seen)) {
          // A GUILD_CREATE racing this callback may have seen the claim and installed the guild already.
          const installedMeanwhile = yield* installedRow(guildId)
          if (Option.isSome(installedMeanwhile)) return yield* install(tenantId, installedMeanwhile.value)
          yield* Effect.logInfo("guild claimed; waiting for the bot to join").pipe(
            Effect.annotateLogs({ tenantId, guildId })
          )
          return GuildInstallOutcome.Pending({ tenantId, guildId, expiresAt: pending.expiresAt })
        }
        if (!withinWindow(seen.value.seenAt, now)) {
          yield* claims.deleteClaims(guildId)
          return GuildInstallOutcome.Refused({
            guildId,
            tenantId: Option.some(tenantId),
            refusal: refusalOf(ClaimTooLate.of(guildId))
          })
        }
        return yield* settle(guildId, yield* install(tenantId, seen.value))
      })

    /** A guild the bot saw unclaimed: installs it if a claim is waiting, else it stays unclaimed. */
    const awaitClaim = (guild: AvailableGuild) =>
      Effect.gen(function*() {
        const now = yield* DateTime.now
        const sighting = yield* claims.markUnclaimed(UnclaimedGuild.make({ ...guild, seenAt: now }))
        const pending = yield* claims.pendingClaim(guild.guildId, now)
        if (Option.isSome(pending) && withinWindow(sighting.guild.seenAt, pending.value.claimedAt)) {
          return yield* settle(guild.guildId, yield* install(pending.value.tenantId, guild))
        }
        // A callback racing this GUILD_CREATE may have seen the sighting and installed the guild already.
        const installedMeanwhile = yield* installedRow(guild.guildId)
        if (Option.isSome(installedMeanwhile)) {
          yield* claims.deleteUnclaimed(guild.guildId)
          return yield* install(installedMeanwhile.value.tenantId, guild)
        }
        if (sighting.firstSeen) {
          yield* Effect.logWarning(
            `guild ${guild.guildId} joined without an invite state; it waits as unclaimed ` +
              `(operator: POST /discord/unclaimed/${guild.guildId}/claim)`
          ).pipe(Effect.annotateLogs({ guildId: guild.guildId, guildName: guild.name }))
        }
        return GuildInstallOutcome.Unclaimed({ guildId: guild.guildId })
      })

    /** `owner`: the tenant whose own (white-label) bot saw the guild; every guild that bot joins is the tenant's. */
    const guildAvailable = (guild: AvailableGuild, owner: TenantId | null = null): Effect.Effect<GuildInstallOutcome> =>
      Effect.gen(function*() {
        if (owner !== null) return yield* settle(guild.guildId, yield* install(owner, guild))
        if (mode === "self-host") {
          const tenantId = yield* theSelfHostTenant
          // Before the first boot has made the tenant, the guild waits like an unclaimed one.
          if (Option.isSome(tenantId)) return yield* settle(guild.guildId, yield* install(tenantId.value, guild))
          return yield* awaitClaim(guild)
        }
        const installed = yield* installedRow(guild.guildId)
        if (Option.isSome(installed)) return yield* install(installed.value.tenantId, guild)
        return yield* awaitClaim(guild)
      })

    const guildRemoved = (guildId: GuildId): Effect.Effect<GuildRemovalOutcome> =>
      Effect.gen(function*() {
        yield* claims.deleteClaims(guildId)
        yield* claims.deleteUnclaimed(guildId)
        const installed = yield* installedRow(guildId)
        if (Option.isNone(installed)) return { _tag: "Unknown", guildId } as const
        const { tenantId } = installed.value
        // Removed meanwhile by someone else (the API, another replica): the same end state.
        yield* Effect.ignore(tenancy.removeGuild(tenantId, guildId))
        return { _tag: "Removed", tenantId, guildId } as const
      })

    const listUnclaimed = (limit = 1_000) => claims.listUnclaimed(limit)

    /** The operator gives a guild the bot is in (unclaimed, or installed elsewhere: refused) to a tenant. */
    const claimByOperator = (guildId: GuildId, tenantId: TenantId) =>
      Effect.gen(function*() {
        yield* tenancy.getTenant(tenantId)
        const installed = yield* installedRow(guildId)
        if (Option.isSome(installed)) return yield* settle(guildId, yield* install(tenantId, installed.value))
        const seen = yield* claims.findUnclaimed(guildId)
        if (Option.isNone(seen)) return yield* UnclaimedGuildNotFound.of(guildId)
        const outcome = yield* install(tenantId, seen.value)
        yield* Effect.logInfo("operator claimed a guild").pipe(Effect.annotateLogs({ tenantId, guildId }))
        return yield* settle(guildId, outcome)
      })

    const purgeExpiredClaims = Effect.flatMap(DateTime.now, claims.purgeExpiredClaims)

    return {
      inviteUrl,
      claim,
      guildAvailable,
      guildRemoved,
      listUnclaimed,
      claimByOperator,
      purgeExpiredClaims
    } as const
  })

/** Guild installs from invites and the gateway: the service the Discord adapter and the HTTP API call. */
export interface GuildInstallsService {
  /** An invite link for the tenant's guilds, with a signed `state` that expires (InviteState). */
  readonly inviteUrl: (
    tenantId: TenantId,
    options: InviteLinkOptions
  ) => Effect.Effect<{ readonly url: string; readonly expiresAt: DateTime.Utc }, TenantNotFound>
  /** The OAuth callback: installs the guild if the bot has seen it, else stores the claim (Pending). */
  readonly claim: (state: string, guildId: GuildId) => Effect.Effect<GuildInstallOutcome, InvalidInviteState>
  /** GUILD_CREATE; `owner`: the tenant whose own (white-label) bot saw the guild. */
  readonly guildAvailable: (guild: AvailableGuild, owner?: TenantId | null) => Effect.Effect<GuildInstallOutcome>
  /** GUILD_DELETE: the bot left or was removed. */
  readonly guildRemoved: (guildId: GuildId) => Effect.Effect<GuildRemovalOutcome>
  /** The guilds the bot is in that no tenant claimed. */
  readonly listUnclaimed: (limit?: number) => Effect.Effect<ReadonlyArray<UnclaimedGuild>>
  /** The operator gives a guild the bot is in (unclaimed, or installed elsewhere: refused) to a tenant. */
  readonly claimByOperator: (
    guildId: GuildId,
    tenantId: TenantId
  ) => Effect.Effect<GuildInstallOutcome, TenantNotFound | UnclaimedGuildNotFound>
  /** Deletes expired claims; how many. */
  readonly purgeExpiredClaims: Effect.Effect<number>
}

export class GuildInstalls extends Context.Tag("core/GuildInstalls")<GuildInstalls, GuildInstallsService>() {
  static readonly layer = (mode: InstallMode) => Layer.effect(GuildInstalls, make(mode))
}
