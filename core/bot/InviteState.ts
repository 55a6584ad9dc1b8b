import { DateTime, Duration, Effect, Either, Encoding, Redacted, Schema } from "effect"
import { TenantId } from "../ids.js"
import { Crypto } from "../ports/Crypto.js"

/**
 * The `state` of a bot invite link: which tenant the guild joins, signed with
 * the platform's invite key so the callback can trust it without a session,
 * and expiring so a leaked link stops working. Format:
 * `base64url(JSON { t: tenantId, e: expiry in epoch seconds, n: nonce })` "." `base64url(HMAC-SHA256)`.
 */

/** How long an invite link's state is accepted after it was made. */
export const inviteStateLifetime = Duration.hours(1)

export const InvalidInviteStateReason = Schema.Literal("malformed", "bad_signature", "expired")
export type InvalidInviteStateReason = typeof InvalidInviteStateReason.Type

const explanations: Record<InvalidInviteStateReason, string> = {
  malformed: "The invite link's state is missing or not one Guildhall made",
  bad_signature: "The invite link's state was not signed by this Guildhall (altered, or made with another key)",
  expired: "The invite link has expired (links are valid for one hour)"
}

export class InvalidInviteState extends Schema.TaggedError<InvalidInviteState>()("InvalidInviteState", {
  reason: InvalidInviteStateReason,
  message: Schema.String,
  remediation: Schema.String
}) {
  static of(reason: InvalidInviteStateReason) {
    return new InvalidInviteState({
      reason,
      message: explanations[reason],
      remediation: "Ask for a new invite link (POST /discord/invite) and add the bot with it"
    })
  }
}

/** What a verified state says. */
export interface InviteStateClaim {
  readonly tenantId: TenantId
  readonly expiresAt: DateTime.Utc
}

const Payload = Schema.parseJson(Schema.Struct({
  t: TenantId,
  e: Schema.Int,
  n: Schema.String
}))
const decodePayload = Schema.decodeUnknownEither(Payload)

// A prefix keeps this HMAC from ever matching one the same key makes for another purpose.
const signed = (payloadSegment: string) => `guildhall-invite-state.v1.${payloadSegment}`

/** A state for `tenantId`, valid for `inviteStateLifetime` from `now`. */
export const signInviteState = (tenantId: TenantId, now: DateTime.Utc, key: Redacted.Redacted<string>) =>
  Effect.gen(function*() {
    const crypto = yield* Crypto
    const expiresAt = DateTime.addDuration(now, inviteStateLifetime)
    const payload = JSON.stringify({
      t: tenantId,
      e: Math.floor(DateTime.toEpochMillis(expiresAt) / 1000),
      n: yield* crypto.randomToken(9)
    })
    const segment = Encoding.encodeBase64Url(payload)
    return {
      state: `${segment}.${crypto.hmacSha256(Redacted.value(key), signed(segment))}`,
      expiresAt
    } as const
  })

/** The state's tenant, if `key` signed it and it has not expired at `now`. */
export const verifyInviteState = (
  state: string,
  now: DateTime.Utc,
  key: Redacted.Redacted<string>
): Effect.Effect<InviteStateClaim, InvalidInviteState, Crypto> =>
  Effect.gen(function*() {
    const crypto = yield* Crypto
    const parts = state.split(".")
    if (parts.length !== 2 || parts[0] === "" || parts[1] === "") return yield* InvalidInviteState.of("malformed")
    const [segment, signature] = parts as [string, string]
    // The signature is checked before the payload is even parsed: nothing unsigned is trusted.
    const expected = crypto.hmacSha256(Redacted.value(key), signed(segment))
    if (!crypto.constantTimeEqual(signature, expected)) return yield* InvalidInviteState.of("bad_signature")
    const payload = Either.flatMap(
      Either.mapLeft(Encoding.decodeBase64UrlString(segment), () => "malformed"),
      (json) => decodePayload(json)
    )
    if (Either.isLeft(payload)) return yield* InvalidInviteState.of("malformed")
    const expiresAt = DateTime.unsafeMake(payload.right.e * 1000)
    if (!DateTime.lessThan(now, expiresAt)) return yield* InvalidInviteState.of("expired")
    return { tenantId: payload.right.t, expiresAt }
  })
