import { Schema } from "effect"
import { GuildId, TenantId, UserId } from "../ids.js"
import { GuildConfigLayer } from "./GuildConfig.js"

export const GuildName = Schema.Trim.pipe(
  Schema.minLength(1, { message: () => "A guild name must not be empty" }),
  Schema.maxLength(100, { message: () => "A guild name must be at most 100 characters (Discord's limit)" })
)

export const GuildStatus = Schema.Literal("installed", "removed")
export type GuildStatus = typeof GuildStatus.Type

export class Guild extends Schema.Class<Guild>("Guild")({
  tenantId: TenantId,
  guildId: GuildId,
  name: GuildName,
  ownerId: UserId,
  status: GuildStatus,
  /** The guild's own override layer of the settings; kept while removed so a reinstall restores it. */
  config: GuildConfigLayer,
  installedAt: Schema.DateTimeUtc,
  removedAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}
