import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { WhiteLabel } from "../../../core/index.js"
import { Api } from "../Api.js"
import { forTenant } from "../Policy.js"

export const HttpWhiteLabelLive = HttpApiBuilder.group(
  Api,
  "whiteLabel",
  (handlers) =>
    Effect.map(WhiteLabel, (whiteLabel) =>
      handlers
        .handle("setBot", forTenant(({ tenantId }, { payload }) => whiteLabel.setBot(tenantId, payload)))
        .handle("getBot", forTenant(({ tenantId }) => whiteLabel.getBot(tenantId)))
        .handle("removeBot", forTenant(({ tenantId }) => whiteLabel.removeBot(tenantId))))
)
