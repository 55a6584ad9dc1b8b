import { Duration, Effect, Layer, type Option } from "effect"
import { DiscordRoleError, DiscordRoles } from "../core/index.js"

/** How long a role job waits before asking again while there is no Discord connection. */
const retryAfter = Duration.minutes(5)

const offline = new DiscordRoleError({
  reason: "unavailable",
  message: "This runner has no Discord connection: the discord.js runtime is not part of this build yet",
  remediation: "Role grants and revokes wait in the job outbox (retried with backoff) until a runner with a " +
    "Discord connection takes them; an operator can revive dead-lettered ones with POST /jobs/{id}/revive",
  retryAfterMs: Duration.toMillis(retryAfter)
})

/**
 * DiscordRoles for a runner without a Discord gateway. It does not pretend:
 * every call fails as unavailable, so role jobs stay in the outbox and retry
 * instead of being marked done.
 */
export const DiscordRolesOffline = Layer.effect(
  DiscordRoles,
  Effect.as(
    Effect.logWarning("discord: no Discord connection in this build; role grants wait in the job outbox"),
    DiscordRoles.of({
      grant: () => Effect.fail(offline),
      revoke: () => Effect.fail(offline),
      memberRoles: () => Effect.fail(offline) as Effect.Effect<Option.Option<never>, DiscordRoleError>
    })
  )
)
