import { Effect } from "effect"

/** The feature catalog synced from the registry at boot, for feature discovery (issue 3). PLACEHOLDER: its owner replaces this body. */
export default Effect.void
