import { Schema } from "effect"
import { RoleId } from "../../ids.js"
import { defineCommand, defineFeature } from "../Feature.js"
import { Permission } from "../Permissions.js"

export const XpConfig = Schema.Struct({
  pointsPerMessage: Schema.Int.pipe(Schema.between(1, 1_000)),
  /** A member earns points for at most one message in this many seconds. */
  cooldownSeconds: Schema.Int.pipe(Schema.between(0, 86_400)),
  /** Roles granted on reaching a level; only on plans with the "xp-roles" flag. */
  levelRoles: Schema.Array(Schema.Struct({ level: Schema.Int.pipe(Schema.positive()), roleId: RoleId }))
})
export type XpConfig = typeof XpConfig.Type

export const rankCommand = defineCommand({
  name: "rank",
  description: "Show a member's level and points",
  level: "member",
  options: [{ name: "user", description: "Whose rank (yours if omitted)", type: "user" }]
})

export const leaderboardCommand = defineCommand({
  name: "leaderboard",
  description: "Show the members with the most points",
  level: "member",
  options: [{ name: "page", description: "Which page of the leaderboard (10 a page)", type: "integer" }]
})

export const xpCommand = defineCommand({
  name: "xp",
  description: "Manage members' points",
  level: "admin",
  memberPermissions: Permission.ManageGuild,
  subcommands: [
    {
      name: "reset",
      description: "Reset a member's points",
      options: [{ name: "user", description: "Whose points to reset", type: "user", required: true }]
    }
  ]
})

/** Points for chatting, levels, and roles at levels. */
export const xpFeature = defineFeature<XpConfig>({
  key: "xp",
  name: "XP and levels",
  description: "Members earn points for chatting, level up and unlock roles.",
  requires: "xp",
  access: "write",
  config: {
    schema: XpConfig,
    defaults: { pointsPerMessage: 10, cooldownSeconds: 60, levelRoles: [] },
    version: 1,
    migrations: []
  },
  commands: [rankCommand, leaderboardCommand, xpCommand]
})
