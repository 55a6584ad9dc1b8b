import { Layer } from "effect"
import { CoreLive } from "./CoreLive.js"
import { MigratedDatabaseLive } from "./Database.js"
import { DiscordRolesOffline } from "./DiscordOffline.js"
import { PaymentGatewaysLive } from "./Payments.js"

/** The outside systems the core calls: the payment providers' APIs and Discord (offline until the Discord runtime). */
export const OutsideSystemsLive = Layer.mergeAll(PaymentGatewaysLive, DiscordRolesOffline)

/** The core over the configured database (migrated) and the outside systems: what the runners and the CLI boot. */
export const ApplicationLive = CoreLive.pipe(
  Layer.provideMerge(Layer.mergeAll(MigratedDatabaseLive, OutsideSystemsLive))
)
