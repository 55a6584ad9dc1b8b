import { Context, type DateTime, type Effect, type Option, type Redacted, Schema } from "effect"
import { TenantId } from "../ids.js"
import { ApplicationId } from "./DiscordCommands.js"

/**
 * A tenant's own Discord bot (white-label). The token logs the bot in, so it
 * is kept usable, never hashed; it is only ever handled as Redacted, which
 * prints and serializes as "<redacted>".
 */
export class TenantBot extends Schema.Class<TenantBot>("TenantBot")({
  tenantId: TenantId,
  applicationId: ApplicationId,
  token: Schema.Redacted(Schema.String),
  updatedAt: Schema.DateTimeUtc
}) {}

/** What a tenant stores about its bot; the tenant comes from the key. */
export interface TenantBotInput {
  readonly applicationId: ApplicationId
  readonly token: Redacted.Redacted<string>
  readonly updatedAt: DateTime.Utc
}

export interface TenantBotRepoService {
  /** Creates or replaces the tenant's bot. */
  readonly put: (tenantId: TenantId, bot: TenantBotInput) => Effect.Effect<void>
  readonly get: (tenantId: TenantId) => Effect.Effect<Option.Option<TenantBot>>
  /** Forgets the tenant's bot; false when it had none. */
  readonly remove: (tenantId: TenantId) => Effect.Effect<boolean>
  /** Every tenant's bot, platform-wide (the hosted runner starts one client per bot), by tenant id. */
  readonly listAll: () => Effect.Effect<ReadonlyArray<TenantBot>>
}

export class TenantBotRepo extends Context.Tag("core/TenantBotRepo")<TenantBotRepo, TenantBotRepoService>() {}
