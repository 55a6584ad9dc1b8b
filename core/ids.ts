import { Schema } from "effect"

/** A Discord snowflake: an unsigned 64-bit integer written as a decimal string. */
const Snowflake = Schema.String.pipe(
  Schema.pattern(/^[0-9]{17,20}$/, {
    message: () => "Expected a Discord snowflake: a string of 17 to 20 digits"
  })
)

const Uuid = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: () => "Expected a UUID such as 0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b"
  })
)

export const TenantId = Uuid.pipe(Schema.brand("TenantId"))
export type TenantId = typeof TenantId.Type

export const ApiKeyId = Uuid.pipe(Schema.brand("ApiKeyId"))
export type ApiKeyId = typeof ApiKeyId.Type

export const GuildId = Snowflake.pipe(Schema.brand("GuildId"))
export type GuildId = typeof GuildId.Type

export const UserId = Snowflake.pipe(Schema.brand("UserId"))
export type UserId = typeof UserId.Type

export const RoleId = Snowflake.pipe(Schema.brand("RoleId"))
export type RoleId = typeof RoleId.Type

export const ChannelId = Snowflake.pipe(Schema.brand("ChannelId"))
export type ChannelId = typeof ChannelId.Type
