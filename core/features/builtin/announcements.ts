import { Schema } from "effect"
import { ChannelId, RoleId } from "../../ids.js"
import { defineCommand, defineFeature } from "../Feature.js"
import { Permission } from "../Permissions.js"

export const AnnouncementsConfig = Schema.Struct({
  /** Where announcements are posted; null: not configured yet. */
  channelId: Schema.NullOr(ChannelId),
  /** A role mentioned in every announcement; null: none. */
  mentionRoleId: Schema.NullOr(RoleId)
})
export type AnnouncementsConfig = typeof AnnouncementsConfig.Type

export const announceCommand = defineCommand({
  name: "announce",
  description: "Post an announcement",
  level: "mod",
  memberPermissions: Permission.ManageMessages,
  botPermissions: Permission.SendMessages,
  options: [
    { name: "message", description: "What to announce", type: "string", required: true },
    { name: "mention", description: "Mention the announcement role (default: yes)", type: "boolean" },
    {
      name: "in_minutes",
      description: "Post it later: in this many minutes (1 to 10080, a week); now if omitted",
      type: "integer"
    }
  ]
})

/** Moderators post announcements to a configured channel. */
export const announcementsFeature = defineFeature<AnnouncementsConfig>({
  key: "announcements",
  name: "Announcements",
  description: "Post announcements to a channel, optionally mentioning a role.",
  requires: "announcements",
  access: "write",
  config: {
    schema: AnnouncementsConfig,
    defaults: { channelId: null, mentionRoleId: null },
    version: 1,
    migrations: []
  },
  commands: [announceCommand]
})
