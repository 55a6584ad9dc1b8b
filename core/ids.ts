import { type ParseResult, Schema } from "effect"

const snowflakeExample = "123456789012345678"

/**
 * What the caller sent, for a message: a JSON number as a number, anything
 * else as JSON (so a string keeps its quotes).
 */
const shown = (actual: unknown): string => {
  try {
    return JSON.stringify(actual) ?? String(actual)
  } catch {
    return String(actual)
  }
}

/**
 * A Discord snowflake: an unsigned 64-bit integer written as a decimal string;
 * `what` describes it in the API's documentation ("A Discord guild id").
 * Sent as a JSON number it has already lost its last digits (JSON numbers are
 * doubles), so the message says to send a string rather than echo the
 * rounded value as if it were the caller's.
 */
export const Snowflake = (what: string) =>
  Schema.String.pipe(Schema.pattern(/^[0-9]{17,20}$/)).annotations({
    description: `${what}: 17–20 digits as a string`,
    examples: [snowflakeExample],
    message: (issue: ParseResult.ParseIssue) => ({
      message: typeof issue.actual === "number"
        ? `Expected a Discord id as a string of 17–20 digits, e.g. "${snowflakeExample}"; ` +
          `got a JSON number: send it as a string (a number this large loses its last digits)`
        : `Expected a Discord id: 17–20 digits as a string, e.g. "${snowflakeExample}"; got ${shown(issue.actual)}`,
      override: true
    })
  })

const uuidExample = "0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b"

const Uuid = (what: string) =>
  Schema.String.pipe(Schema.pattern(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)).annotations({
    description: `${what}: a UUID`,
    examples: [uuidExample],
    message: (issue: ParseResult.ParseIssue) => ({
      message: `Expected a UUID such as ${uuidExample}; got ${shown(issue.actual)}`,
      override: true
    })
  })

export const TenantId = Uuid("A tenant id").pipe(Schema.brand("TenantId"))
export type TenantId = typeof TenantId.Type

export const ApiKeyId = Uuid("An API key id").pipe(Schema.brand("ApiKeyId"))
export type ApiKeyId = typeof ApiKeyId.Type

export const GuildId = Snowflake("A Discord guild id").pipe(Schema.brand("GuildId"))
export type GuildId = typeof GuildId.Type

export const UserId = Snowflake("A Discord user id").pipe(Schema.brand("UserId"))
export type UserId = typeof UserId.Type

export const RoleId = Snowflake("A Discord role id").pipe(Schema.brand("RoleId"))
export type RoleId = typeof RoleId.Type

export const ChannelId = Snowflake("A Discord channel id").pipe(Schema.brand("ChannelId"))
export type ChannelId = typeof ChannelId.Type

/** A login session's id: the handle a person sees in "my sessions" and revokes by (never the cookie's secret). */
export const SessionId = Uuid("A session id").pipe(Schema.brand("SessionId"))
export type SessionId = typeof SessionId.Type
