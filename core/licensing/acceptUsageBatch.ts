import { DateTime, Effect, Either, Option } from "effect"
import { InvalidInput } from "../errors.js"
import type { SignatureVerifierService } from "../ports/LicenseSigning.js"
import type { UsageReportRepoService } from "../ports/UsageReportRepo.js"
import {
  type SignedUsageBatch,
  UsageBatches,
  UsageReceipt,
  UsageReport,
  UsageReportBadSignature,
  UsageReportConflict,
  UsageReportNotActivated
} from "./UsageReport.js"

/**
 * Takes a usage batch (ADR 082): the install's stream must exist (it
 * activated with a report key), the signature must be that key's, and the
 * sequence must be the stream's next; a replayed or early one is refused
 * with the sequence expected.
 */
export const acceptUsageBatch = (
  usage: UsageReportRepoService,
  verifier: SignatureVerifierService
) =>
(signed: SignedUsageBatch) =>
  Effect.gen(function*() {
    const read = UsageBatches.read(signed)
    if (Either.isLeft(read)) return yield* new InvalidInput({ message: read.left })
    const batch = read.right
    const stream = yield* usage.stream(batch.licenseId, batch.fingerprint)
    if (Option.isNone(stream)) return yield* UsageReportNotActivated.of()
    if (!UsageBatches.verify(signed, stream.value.reportKey, verifier)) return yield* UsageReportBadSignature.of()
    const now = yield* DateTime.now
    const outcome = yield* usage.append(
      UsageReport.make({ ...batch, tenantId: stream.value.tenantId, receivedAt: now })
    )
    if (outcome._tag === "Replayed") {
      return yield* UsageReportConflict.replayed(batch.sequence, outcome.expectedSequence)
    }
    if (outcome._tag === "Gap") {
      return yield* UsageReportConflict.gap(batch.sequence, outcome.expectedSequence)
    }
    yield* Effect.logDebug("licenses: usage batch received").pipe(
      Effect.annotateLogs({ licenseId: batch.licenseId, sequence: batch.sequence })
    )
    return UsageReceipt.make({ sequence: batch.sequence, receivedAt: now })
  })
