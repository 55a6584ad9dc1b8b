import { Context, Effect, Layer, Option } from "effect"
import { PolicyCache } from "../guardrail/PolicyCache.js"
import type { ChannelId, GuildId, UserId } from "../ids.js"
import { PaidRoles } from "../payments/PaidRoles.js"
import { FeatureEvents } from "./FeatureEvents.js"

const make = Effect.gen(function*() {
  const cache = yield* PolicyCache
  const features = yield* FeatureEvents
  const paidRoles = yield* PaidRoles

  /**
   * A member joined (or came back): the roles they paid for are granted again
   * (through the job outbox, so an outage only delays it), then the features
   * greet them. Paid roles come back whatever the guild's feature toggles say:
   * the member paid for them.
   */
  const memberJoined = (guildId: GuildId, userId: UserId, guildName: string) =>
    Effect.gen(function*() {
      const snapshot = yield* cache.get(guildId)
      if (Option.isNone(snapshot)) return
      const regranted = yield* paidRoles.regrant(snapshot.value.tenantId, guildId, userId)
      if (regranted > 0) {
        yield* Effect.logInfo(`paid roles: ${regranted} role(s) granted again on rejoin`).pipe(
          Effect.annotateLogs({ tenantId: snapshot.value.tenantId, guildId, userId })
        )
      }
      yield* features.dispatch({ _tag: "MemberJoined", guildId, userId, guildName })
    }).pipe(Effect.withSpan("MemberEvents.memberJoined"))

  const memberLeft = (guildId: GuildId, userId: UserId) => features.dispatch({ _tag: "MemberLeft", guildId, userId })

  const messageCreated = (guildId: GuildId, channelId: ChannelId, userId: UserId) =>
    features.dispatch({ _tag: "MessageCreated", guildId, channelId, userId })

  return { memberJoined, memberLeft, messageCreated } as const
})

/** What members do in a guild, as the gateway reports it, into paid roles and the features. */
export interface MemberEventsService {
  /** Grants again the paid roles the member still has, then lets the features greet them. */
  readonly memberJoined: (guildId: GuildId, userId: UserId, guildName: string) => Effect.Effect<void>
  readonly memberLeft: (guildId: GuildId, userId: UserId) => Effect.Effect<void>
  readonly messageCreated: (guildId: GuildId, channelId: ChannelId, userId: UserId) => Effect.Effect<void>
}

export class MemberEvents extends Context.Tag("core/MemberEvents")<MemberEvents, MemberEventsService>() {
  static readonly layer = Layer.effect(MemberEvents, make)
}
