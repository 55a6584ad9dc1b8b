import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { ChannelId, formatIssues, GuildId, strictParseOptions, TenantId } from "../../core/index.js"

const failure = <A, I>(schema: Schema.Schema<A, I>, input: unknown) => {
  const result = Schema.decodeUnknownEither(schema, strictParseOptions)(input)
  if (Either.isRight(result)) throw new Error("expected a failure")
  return formatIssues(result.left)
}

// These pin Schema's own wording too ("Expected X, actual Y", "is unexpected, expected: ..."), which
// formatIssues rewrites: an Effect upgrade that changes it fails here.
describe("formatIssues", () => {
  it("names an unknown field and the accepted ones", () => {
    expect(failure(Schema.Struct({ name: Schema.String, planKey: Schema.optional(Schema.String) }), {
      name: "Acme",
      plan: "premium"
    })).toBe("plan: is not a known field; the accepted fields are name, planKey")
  })

  it("says an optional field's alternatives in one sentence, without \"Expected undefined\"", () => {
    expect(failure(Schema.Struct({ mode: Schema.optional(Schema.Literal("hosted", "self_host")) }), { mode: 5 }))
      .toBe("mode: Expected \"hosted\" or \"self_host\", actual 5")
  })

  it("reports a nested field's problem, not the union member its parent failed", () => {
    const schema = Schema.Struct({ defaults: Schema.optional(Schema.NullOr(Schema.Struct({ locale: Schema.String }))) })
    expect(failure(schema, { defaults: { locale: "vi", timeZone: "UTC" } }))
      .toBe("defaults.timeZone: is not a known field; the accepted fields are locale")
  })

  it("ids say what is expected with an example, and never Brand<...>", () => {
    expect(failure(Schema.Struct({ guildId: GuildId }), { guildId: "12" })).toBe(
      "guildId: Expected a Discord id: 17–20 digits as a string, e.g. \"123456789012345678\"; got \"12\""
    )
    expect(failure(Schema.Struct({ channelId: Schema.NullOr(ChannelId) }), { channelId: "general" })).toBe(
      "channelId: Expected a Discord id: 17–20 digits as a string, e.g. \"123456789012345678\"; got \"general\" " +
        "(also accepted: null)"
    )
    expect(failure(Schema.Struct({ tenantId: TenantId }), { tenantId: 7 })).toBe(
      "tenantId: Expected a UUID such as 0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b; got 7"
    )
  })

  it("a snowflake sent as a JSON number is told to be a string", () => {
    expect(failure(Schema.Struct({ guildId: GuildId }), JSON.parse("{\"guildId\":123456789012345678}"))).toBe(
      "guildId: Expected a Discord id as a string of 17–20 digits, e.g. \"123456789012345678\"; got a JSON number: " +
        "send it as a string (a number this large loses its last digits)"
    )
  })

  it("reports every field at once, each once", () => {
    expect(failure(Schema.Struct({ a: Schema.String, b: Schema.Number }), { b: "x" }))
      .toBe("a: is missing; b: Expected number, actual \"x\"")
  })
})
