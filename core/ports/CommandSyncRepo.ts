import { Context, type Effect, type Option, Schema } from "effect"
import { GuildId, TenantId } from "../ids.js"
import { ApplicationId, DiscordCommandsFailure } from "./DiscordCommands.js"

/** Discord's last refusal of a guild's command set, kept for /status and the admin. */
export const CommandSyncFailure = Schema.Struct({
  reason: DiscordCommandsFailure,
  message: Schema.String,
  remediation: Schema.String,
  at: Schema.DateTimeUtc
})
export type CommandSyncFailure = typeof CommandSyncFailure.Type

/** What Discord has of one application's commands in one guild, as far as we know. */
export class CommandSyncState extends Schema.Class<CommandSyncState>("CommandSyncState")({
  tenantId: TenantId,
  guildId: GuildId,
  applicationId: ApplicationId,
  /** The hash of the set Discord last accepted; null: never accepted one. */
  hash: Schema.NullOr(Schema.String),
  /** When Discord last accepted a set; null: never. */
  syncedAt: Schema.NullOr(Schema.DateTimeUtc),
  /** Until when Discord's daily create limit blocks updates; null: not blocked. */
  blockedUntil: Schema.NullOr(Schema.DateTimeUtc),
  /** The last refusal since the last accepted set; null: none. */
  lastError: Schema.NullOr(CommandSyncFailure)
}) {}

export interface CommandSyncRepoService {
  readonly get: (
    tenantId: TenantId,
    guildId: GuildId,
    applicationId: ApplicationId
  ) => Effect.Effect<Option.Option<CommandSyncState>>
  /** Every guild's state for the application, across tenants (for the sync at boot), by tenant then guild. */
  readonly listByApplication: (applicationId: ApplicationId) => Effect.Effect<ReadonlyArray<CommandSyncState>>
  /** Creates or replaces the state of (state.tenantId, state.guildId, state.applicationId). */
  readonly save: (state: CommandSyncState) => Effect.Effect<void>
}

export class CommandSyncRepo extends Context.Tag("core/CommandSyncRepo")<CommandSyncRepo, CommandSyncRepoService>() {}
