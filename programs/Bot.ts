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
 * (MemberEvents), and the per-guild command registry (CommandSync). Needs the
 * application services, the repositories, BotLinks and the Discord ports.
 */
export const BotServicesLive = Layer.mergeAll(Interactions.layer, MemberEvents.layer).pipe(
  Layer.provide(BotCommandsLive),
  Layer.provideMerge(FeatureEvents.layer),
  Layer.provide(FeatureEventHandlersLive),
  Layer.provideMerge(Layer.merge(SetupWizardService.layer, CommandSync.layer))
)
