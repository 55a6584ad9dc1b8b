import { type CommandOption, defineCommand, defineFeature } from "../Feature.js"
import { Permission } from "../Permissions.js"
import { noConfig } from "./noConfig.js"

const targetOption = (required: boolean): CommandOption => ({
  name: "target",
  description: "A command or feature, e.g. xp reset",
  type: "string",
  required
})

/** `/permissions allow` and `/permissions deny`: the same subjects, opposite effects. */
const ruleSubcommand = <const Effect extends "allow" | "deny">(effect: Effect, description: string) => ({
  name: effect,
  description,
  options: [
    targetOption(true),
    { name: "user", description: `The user to ${effect}`, type: "user" },
    { name: "role", description: `The role to ${effect}`, type: "role" },
    { name: "channel", description: `The channel to ${effect} it in`, type: "channel" }
  ] satisfies ReadonlyArray<CommandOption>
})

const featureOption: CommandOption = {
  name: "feature",
  description: "The feature's key, e.g. xp",
  type: "string",
  required: true
}

export const setupCommand = defineCommand({
  name: "setup",
  description: "Set the bot up in three steps: features, paid roles, payment providers",
  level: "admin",
  memberPermissions: Permission.ManageGuild,
  ownerAlwaysAllowed: true,
  subcommands: [
    { name: "start", description: "Show the setup's progress and its next step" },
    {
      name: "features",
      description: "Step 1/3: choose the features to turn on",
      options: [{ name: "enable", description: "Feature keys, e.g. welcome, xp", type: "string" }]
    },
    {
      name: "roles",
      description: "Step 2/3: sell a role (one per call), or move on",
      options: [
        { name: "role", description: "The role to sell", type: "role" },
        { name: "price", description: "Price in the currency's minor unit (cents)", type: "integer" },
        { name: "currency", description: "ISO 4217 currency code, e.g. USD", type: "string" },
        { name: "days", description: "How long a purchase lasts", type: "integer" },
        { name: "done", description: "No more roles: go to the next step", type: "boolean" }
      ]
    },
    {
      name: "providers",
      description: "Step 3/3: choose how members pay",
      options: [{ name: "offer", description: "Payment providers, e.g. polar, sepay", type: "string" }]
    },
    { name: "finish", description: "Check the bot can manage the chosen roles, and finish" }
  ]
})

export const featuresCommand = defineCommand({
  name: "features",
  description: "List, enable and disable this server's features",
  level: "admin",
  memberPermissions: Permission.ManageGuild,
  subcommands: [
    { name: "list", description: "List the features and whether they are on" },
    { name: "enable", description: "Turn a feature on", options: [featureOption] },
    { name: "disable", description: "Turn a feature off", options: [featureOption] }
  ]
})

export const permissionsCommand = defineCommand({
  name: "permissions",
  description: "View and edit who may run which command",
  level: "admin",
  memberPermissions: Permission.ManageGuild,
  ownerAlwaysAllowed: true,
  subcommands: [
    {
      name: "view",
      description: "View the rules of a command or feature (every rule if omitted)",
      options: [targetOption(false)]
    },
    ruleSubcommand("allow", "Allow a user, role or channel to run a command or feature"),
    ruleSubcommand("deny", "Deny a user, role or channel a command or feature"),
    {
      name: "reset",
      description: "Remove this server's rules of a command or feature",
      options: [targetOption(true)]
    }
  ]
})

/**
 * Installing and configuring the bot, and editing the guild's command rules.
 * Essential (kept even when the tenant is suspended) and in every plan; the
 * guild owner can always run it, so rules can never lock the owner out.
 */
export const setupFeature = defineFeature({
  key: "setup",
  name: "Setup",
  description: "Configure the bot, its features and who may run which command.",
  requires: null,
  access: "essential",
  config: noConfig,
  commands: [setupCommand, featuresCommand, permissionsCommand]
})
