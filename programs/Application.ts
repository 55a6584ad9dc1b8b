import { Layer } from "effect"
import { DiscordRolesLive } from "../adapters/discord/index.js"
import { CoreLive } from "./CoreLive.js"
import { MigratedDatabaseLive } from "./Database.js"
import { PaymentGatewaysLive } from "./Payments.js"

/** The outside systems the core calls: the payment providers' APIs and Discord (REST with DISCORD_TOKEN, offline without). */
export const OutsideSystemsLive = Layer.mergeAll(PaymentGatewaysLive, DiscordRolesLive)

/** The core over the configured database (migrated) and the outside systems: what the runners and the CLI boot. */
export const ApplicationLive = CoreLive.pipe(
  Layer.provideMerge(Layer.mergeAll(MigratedDatabaseLive, OutsideSystemsLive))
)
