import { Layer } from "effect"
import { DiscordPortsLive } from "../adapters/discord/index.js"
import { BackgroundComponents } from "../core/index.js"
import { CoreLive } from "./Core.js"
import { MigratedDatabaseLive } from "./Database.js"
import { PaymentGatewaysLive } from "./Payments.js"
import { BotLinksLive } from "./Settings.js"

/**
 * The outside systems the core calls: the payment providers' APIs and Discord
 * (REST with DISCORD_TOKEN or a tenant's own bot, every call unavailable
 * without one, so the work waits in the outbox), and the public pages a
 * checkout started from Discord returns to.
 */
export const OutsideSystemsLive = Layer.mergeAll(PaymentGatewaysLive, DiscordPortsLive, BotLinksLive)

/**
 * The core over the configured database (migrated) and the outside systems: what the runners and the CLI boot.
 * Under all of it, the registry every background loop reports to and `/health/ready` reads (ADR 095).
 */
export const ApplicationLive = CoreLive.pipe(
  Layer.provideMerge(Layer.mergeAll(MigratedDatabaseLive, OutsideSystemsLive)),
  Layer.provideMerge(BackgroundComponents.layer)
)
