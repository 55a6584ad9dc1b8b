import { Schema } from "effect"
import { ChannelId } from "../../ids.js"
import { defineFeature } from "../Feature.js"

export const WelcomeConfig = Schema.Struct({
  /** Where to greet new members; null: not configured yet, nothing is sent. */
  channelId: Schema.NullOr(ChannelId),
  /** `{user}` and `{guild}` are replaced by the member's mention and the server's name. */
  template: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(2_000))
})
export type WelcomeConfig = typeof WelcomeConfig.Type

/** Greets members as they join. */
export const welcomeFeature = defineFeature<WelcomeConfig>({
  key: "welcome",
  name: "Welcome",
  description: "Greet new members with a message in a channel of your choice.",
  requires: "welcome",
  access: "write",
  config: {
    schema: WelcomeConfig,
    defaults: { channelId: null, template: "Welcome {user} to {guild}!" },
    version: 1,
    migrations: []
  },
  commands: []
})
