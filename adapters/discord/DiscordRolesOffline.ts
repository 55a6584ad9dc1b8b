import { Duration, Effect, Layer, type Option } from "effect"
import { DiscordRoleError, DiscordRoles } from "../../core/index.js"

/** How long a role job waits before asking again while there is no Discord connection. */
const retryAfter = Duration.minutes(5)

const offline = new DiscordRoleError({
  reason: "unavailable",
  message: "This runner has no Discord connection: DISCORD_TOKEN is not set",
  remediation: "Role grants and revokes wait in the job outbox (retried with backoff) until a runner with " +
    "DISCORD_TOKEN takes them; an operator can revive dead-lettered ones with POST /jobs/{id}/revive",
  retryAfterMs: Duration.toMillis(retryAfter)
})

/**
 * DiscordRoles for a runner without a bot token. It does not pretend: every
 * call fails as unavailable, so role jobs stay in the outbox and retry
 * instead of being marked done.
 */
export const DiscordRolesOffline = Layer.effect(
  DiscordRoles,
  Effect.as(
    Effect.logWarning("discord: DISCORD_TOKEN is not set; role grants wait in the job outbox"),
    DiscordRoles.of({
      grant: () => Effect.fail(offline),
      revoke: () => Effect.fail(offline),
      memberRoles: () => Effect.fail(offline) as Effect.Effect<Option.Option<never>, DiscordRoleError>
    })
  )
)
