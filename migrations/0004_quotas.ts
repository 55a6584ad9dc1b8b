import { Effect } from "effect"

/** Quota counters, idempotency records, reservations and daily usage (issue 3, quotas). PLACEHOLDER: its owner replaces this body. */
export default Effect.void
