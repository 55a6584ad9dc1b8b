import { Layer } from "effect"
import {
  announcementCommands,
  billingCommands,
  BotCommands,
  CommandSync,
  FeatureEventHandlers,
  FeatureEvents,
  featuresCommands,
  Interactions,
  MemberEvents,
  permissionsCommands,
  purchaseCommands,
  setupCommands,
  SetupWizardService,
  welcomeEvents,
  xpCommands,
  xpEvents
} from "../core/index.js"

/** Every slash command the bot answers: the admin commands and the built-in features' own. */
export const BotCommandsLive = BotCommands.layer(
  setupCommands,
  featuresCommands,
  permissionsCommands,
  billingCommands,
  purchaseCommands,
  xpCommands,
  announcementCommands
)

/** The built-in features that react to gateway events. */
export const FeatureEventHandlersLive = FeatureEventHandlers.layer({ welcome: welcomeEvents, xp: xpEvents })

/**
 * What the Discord adapter drives: slash commands through the guardrail
 * (Interactions), member and message events into the features and paid roles
 * (MemberEvents), and the per-guild command registry (CommandSync), over the
 * given command handlers and feature event handlers. Needs the application
 * services, the repositories, BotLinks and the Discord ports.
 */
export const makeBotServices = <E1, R1, E2, R2>(
  commands: Layer.Layer<BotCommands, E1, R1>,
  featureEvents: Layer.Layer<FeatureEventHandlers, E2, R2>
) =>
  Layer.mergeAll(Interactions.layer, MemberEvents.layer).pipe(
    Layer.provide(commands),
    Layer.provideMerge(FeatureEvents.layer),
    Layer.provide(featureEvents),
    Layer.provideMerge(Layer.merge(SetupWizardService.layer, CommandSync.layer))
  )

/** The bot's services over the built-in commands and feature event handlers. */
export const BotServicesLive = makeBotServices(BotCommandsLive, FeatureEventHandlersLive)
