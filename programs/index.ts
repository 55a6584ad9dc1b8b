export { ApplicationLive, OutsideSystemsLive } from "./Application.js"
export { guildhall, runCli } from "./cli.js"
export {
  type ApplicationServices,
  type CommandServices,
  type CoreError,
  type CoreFoundations,
  CoreLive,
  type CoreParts,
  type CoreRequirements,
  type CoreServices,
  makeCore
} from "./Core.js"
export { DatabaseLive, MigratedDatabaseLive } from "./Database.js"
export { DiscordRolesOffline } from "./DiscordOffline.js"
export { builtinJobKinds, scheduleHousekeeping } from "./Housekeeping.js"
export { PaymentGatewaysLive, WebhookVerifiersLive } from "./Payments.js"
export { PlanCatalogLive } from "./Plans.js"
export { HostedRunner, runnerFor, SelfHostRunner } from "./Runner.js"
export { makeTestRuntime, TestOutsideSystems, TestRuntime } from "./TestRuntime.js"
