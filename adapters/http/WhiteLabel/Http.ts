import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { WhiteLabel } from "../../../core/index.js"
import { ensureCanActOn } from "../Access.js"
import { Api } from "../Api.js"

export const WhiteLabelLive = HttpApiBuilder.group(
  Api,
  "whiteLabel",
  (handlers) =>
    Effect.map(WhiteLabel, (whiteLabel) =>
      handlers
        .handle(
          "setBot",
          ({ path, payload }) => Effect.zipRight(ensureCanActOn(path.id), whiteLabel.setBot(path.id, payload))
        )
        .handle("getBot", ({ path }) => Effect.zipRight(ensureCanActOn(path.id), whiteLabel.getBot(path.id)))
        .handle("removeBot", ({ path }) => Effect.zipRight(ensureCanActOn(path.id), whiteLabel.removeBot(path.id))))
)
