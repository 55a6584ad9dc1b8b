import { Effect, Layer, Option } from "effect"
import {
  fingerprintKey,
  type LicenseId,
  type UsageAppendOutcome,
  UsageReport,
  UsageReportRepo,
  type UsageStream
} from "../../core/index.js"

interface MemoryStream {
  stream: UsageStream
  readonly reports: Array<UsageReport>
}

/**
 * UsageReportRepo in memory, with a store of its own. Every method runs
 * synchronously inside one Effect.sync, so an append's check and write
 * cannot interleave with another's (the SQL adapter's row lock).
 */
export const UsageReportRepoMemory = Layer.sync(UsageReportRepo, () => {
  const streams = new Map<string, MemoryStream>()
  const keyOf = (licenseId: LicenseId, fingerprint: UsageStream["fingerprint"]) =>
    `${licenseId}/${fingerprintKey(fingerprint)}`

  return UsageReportRepo.of({
    registerKey: (tenantId, licenseId, fingerprint, reportKey) =>
      Effect.sync(() => {
        const key = keyOf(licenseId, fingerprint)
        const existing = streams.get(key)
        if (existing !== undefined) return existing.stream.reportKey
        streams.set(key, { stream: { tenantId, licenseId, fingerprint, reportKey, lastSequence: 0 }, reports: [] })
        return reportKey
      }),
    stream: (licenseId, fingerprint) =>
      Effect.sync(() => Option.map(Option.fromNullable(streams.get(keyOf(licenseId, fingerprint))), (s) => s.stream)),
    append: (report) =>
      Effect.sync((): UsageAppendOutcome => {
        const held = streams.get(keyOf(report.licenseId, report.fingerprint))
        if (held === undefined || held.stream.tenantId !== report.tenantId) {
          return { _tag: "Gap", expectedSequence: 1 }
        }
        const expectedSequence = held.stream.lastSequence + 1
        if (report.sequence < expectedSequence) return { _tag: "Replayed", expectedSequence }
        if (report.sequence > expectedSequence) return { _tag: "Gap", expectedSequence }
        held.reports.push(UsageReport.make(report))
        held.stream = { ...held.stream, lastSequence: report.sequence }
        return { _tag: "Accepted" }
      }),
    list: (tenantId, licenseId) =>
      Effect.sync(() =>
        Array.from(streams.values())
          .filter(({ stream }) => stream.tenantId === tenantId && stream.licenseId === licenseId)
          .sort((a, b) => (fingerprintKey(a.stream.fingerprint) < fingerprintKey(b.stream.fingerprint) ? -1 : 1))
          .flatMap(({ reports }) => reports)
      )
  })
})
