import { type CommandOption, defineFeature, type SubcommandDefinition } from "../Feature.js"
import { Permission } from "../Permissions.js"
import { noConfig } from "./noConfig.js"

const targetOption = (required: boolean): CommandOption => ({
  name: "target",
  description: "A command or feature, e.g. xp reset",
  type: "string",
  required
})

/** `/permissions allow` and `/permissions deny`: the same subjects, opposite effects. */
const ruleSubcommand = (effect: "allow" | "deny", description: string): SubcommandDefinition => ({
  name: effect,
  description,
  options: [
    targetOption(true),
    { name: "user", description: `The user to ${effect}`, type: "user" },
    { name: "role", description: `The role to ${effect}`, type: "role" },
    { name: "channel", description: `The channel to ${effect} it in`, type: "channel" }
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
  commands: [
    {
      name: "setup",
      description: "Configure the bot and its features in this server",
      level: "admin",
      memberPermissions: Permission.ManageGuild,
      ownerAlwaysAllowed: true
    },
    {
      name: "permissions",
      description: "Show and edit who may run which command",
      level: "admin",
      memberPermissions: Permission.ManageGuild,
      ownerAlwaysAllowed: true,
      subcommands: [
        {
          name: "show",
          description: "Show the rules of a command or feature",
          options: [targetOption(false)]
        },
        ruleSubcommand("allow", "Allow a user, role or channel to run a command or feature"),
        ruleSubcommand("deny", "Deny a user, role or channel a command or feature"),
        {
          name: "clear",
          description: "Remove the rules of a command or feature",
          options: [targetOption(true)]
        }
      ]
    }
  ]
})
