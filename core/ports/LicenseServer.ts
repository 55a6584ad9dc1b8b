import { Context, Data, type Effect, type Redacted } from "effect"
import type { SignedLease } from "../licensing/Lease.js"
import type { InstallFingerprint } from "../licensing/License.js"
import type { KeyInvalid } from "../licensing/LicenseKey.js"
import type { SignedUsageBatch, UsageReceipt, UsageReportRefusal } from "../licensing/UsageReport.js"
import type { LicenseRefused } from "../licensing/validate.js"

/** The license server did not answer (network, 5xx, rate limit): the install keeps its stored lease. */
export class LicenseServerUnreachable extends Data.TaggedError("LicenseServerUnreachable")<{
  readonly message: string
}> {}

/** The hosted license server as a self-host install calls it (LICENSE_SERVER_BASE). */
export interface LicenseServerService {
  /** Activates or refreshes the install: a signed lease, or the server's refusal. */
  readonly lease: (request: {
    readonly key: Redacted.Redacted<string>
    readonly fingerprint: InstallFingerprint
    readonly version: string
    readonly nonce: string
    /** The install's usage report public key, registered with its activation (ADR 082). */
    readonly reportKey?: string | undefined
  }) => Effect.Effect<SignedLease, LicenseServerUnreachable | LicenseRefused | KeyInvalid>
  /** Sends one signed usage batch: the server's receipt, or why it refused it. */
  readonly reportUsage: (
    batch: SignedUsageBatch
  ) => Effect.Effect<UsageReceipt, LicenseServerUnreachable | UsageReportRefusal>
}

export class LicenseServer extends Context.Tag("core/LicenseServer")<LicenseServer, LicenseServerService>() {}
