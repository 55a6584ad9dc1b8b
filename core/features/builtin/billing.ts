import { defineCommand, defineFeature } from "../Feature.js"
import { Permission } from "../Permissions.js"
import { noConfig } from "./noConfig.js"

export const upgradeCommand = defineCommand({
  name: "upgrade",
  description: "Upgrade this server's plan",
  level: "admin",
  memberPermissions: Permission.ManageGuild,
  options: [{ name: "plan", description: "The plan's key (the next plan up if omitted)", type: "string" }]
})

export const statusCommand = defineCommand({
  name: "status",
  description: "Show this server's plan, its limits and usage",
  level: "member"
})

/** The tenant's plan and how to change it. Essential, so a suspended tenant can still pay its way back. */
export const billingFeature = defineFeature({
  key: "billing",
  name: "Billing",
  description: "See the current plan and its status, and upgrade.",
  requires: null,
  access: "essential",
  config: noConfig,
  commands: [upgradeCommand, statusCommand]
})
