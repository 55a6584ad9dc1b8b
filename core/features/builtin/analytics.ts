import { defineFeature } from "../Feature.js"
import { noConfig } from "./noConfig.js"

/** Activity statistics; read-only, so it keeps working while the tenant is read-only. */
export const analyticsFeature = defineFeature({
  key: "analytics",
  name: "Analytics",
  description: "Server activity statistics: members, messages and command usage.",
  requires: "analytics",
  access: "read",
  config: noConfig,
  commands: [
    {
      name: "stats",
      description: "Show this server's activity",
      level: "member",
      options: [
        {
          name: "days",
          description: "How many days back",
          type: "integer",
          choices: [{ name: "7 days", value: 7 }, { name: "30 days", value: 30 }, { name: "90 days", value: 90 }]
        }
      ]
    }
  ]
})
