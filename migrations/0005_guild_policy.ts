import { Effect } from "effect"

/** Guild policy: feature toggles and configs, RBAC rules, overrides, held add-ons, kill switches, policy versions (issue 3). PLACEHOLDER: its owner replaces this body. */
export default Effect.void
