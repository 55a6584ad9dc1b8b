import { Context, Duration, Layer } from "effect"

/** How often an install refreshes, and how long it may run on a lease without reaching the server. */
export interface LeasePolicyService {
  readonly refreshEvery: Duration.Duration
  readonly offlineGrace: Duration.Duration
}

export class LeasePolicy extends Context.Tag("core/LeasePolicy")<LeasePolicy, LeasePolicyService>() {
  /** Refresh hourly; keep serving a week without the server. */
  static readonly defaults: LeasePolicyService = { refreshEvery: Duration.hours(1), offlineGrace: Duration.days(7) }
  static readonly layer = (policy: LeasePolicyService = LeasePolicy.defaults) => Layer.succeed(LeasePolicy, policy)
}
