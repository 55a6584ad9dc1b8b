import { Context, DateTime, Effect, Either, Layer, Option, Schema } from "effect"
import { Crypto } from "../ports/Crypto.js"
import { GuildRepo } from "../ports/GuildRepo.js"
import { LicenseServer, type LicenseServerUnreachable } from "../ports/LicenseServer.js"
import { SigningKeys } from "../ports/LicenseSigning.js"
import { PlatformSettingsRepo } from "../ports/PlatformSettingsRepo.js"
import { QuotaStore } from "../ports/QuotaStore.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import type { InstallFingerprint, LicenseId } from "./License.js"
import {
  hashUsageId,
  maxUsageEntries,
  SignedUsageBatch,
  UsageBatch,
  UsageBatches,
  UsageDay,
  type UsageEntry,
  type UsageReportRefusal
} from "./UsageReport.js"

/** The install's report key pair (its private half: PKCS#8 base64url), generated once. */
export const usageReportKeySetting = "usage_report_key"
/** The install's secret guild and user ids are hashed under; never sent. */
export const usageHashSecretSetting = "usage_report_secret"
/** Per license: the next sequence, the last day batched, and the outbox of batches not yet taken by the server. */
export const usageReportStateSetting = (licenseId: LicenseId) => `usage_reports:${licenseId}`

/** How many closed days the first batch of a license reaches back. */
export const firstBatchDays = 30

const OutboxItem = Schema.Struct({ sequence: Schema.Int, signed: SignedUsageBatch })
const ReportState = Schema.parseJson(Schema.Struct({
  nextSequence: Schema.Int,
  reportedThrough: Schema.NullOr(UsageDay),
  outbox: Schema.Array(OutboxItem)
}))
type ReportState = typeof ReportState.Type
const decodeState = Schema.decodeUnknownOption(ReportState)
const encodeState = Schema.encodeSync(ReportState)
const initialState: ReportState = { nextSequence: 1, reportedThrough: null, outbox: [] }

/** What one round did: the sequences the server took, those still kept, and the refusal that stopped it, if any. */
export interface UsageReportRound {
  readonly sent: ReadonlyArray<number>
  readonly pending: ReadonlyArray<number>
  readonly stoppedBy: Option.Option<UsageReportRefusal | LicenseServerUnreachable>
}

const dayAfter = (day: string) =>
  DateTime.formatIsoDateUtc(DateTime.add(DateTime.unsafeMake(`${day}T00:00:00Z`), { days: 1 }))

const make = Effect.gen(function*() {
  const platform = yield* PlatformSettingsRepo
  const tenants = yield* TenantRepo
  const guilds = yield* GuildRepo
  const quotas = yield* QuotaStore
  const server = yield* LicenseServer
  const keys = yield* SigningKeys
  const crypto = yield* Crypto

  // Stored before first use and read back, so replicas racing at first boot agree on them.
  const privateKey = yield* platform.getOrInsert(usageReportKeySetting, keys.generate().privateKey)
  const signer = yield* Effect.try(() => keys.signer(privateKey)).pipe(Effect.orDie)
  const secret = yield* platform.getOrInsert(usageHashSecretSetting, yield* crypto.randomToken(32))
  const hashGuild = (guildId: string) => hashUsageId(crypto.hmacSha256, secret, "guild", guildId)
  const oneAtATime = yield* Effect.makeSemaphore(1)

  const load = (licenseId: LicenseId) =>
    Effect.map(
      platform.get(usageReportStateSetting(licenseId)),
      (stored) => Option.getOrElse(Option.flatMap(stored, decodeState), () => initialState)
    )
  const save = (licenseId: LicenseId, state: ReportState) =>
    platform.put(usageReportStateSetting(licenseId), encodeState(state))

  /** The closed days (through yesterday, UTC) not batched yet, as batches in the outbox (stored before any is sent). */
  const batchDue = (licenseId: LicenseId, fingerprint: InstallFingerprint, state: ReportState, now: DateTime.Utc) =>
    Effect.gen(function*() {
      const yesterday = DateTime.formatIsoDateUtc(DateTime.subtract(now, { days: 1 }))
      const from = state.reportedThrough === null
        ? DateTime.formatIsoDateUtc(DateTime.subtract(now, { days: firstBatchDays }))
        : dayAfter(state.reportedThrough)
      if (from > yesterday) return state
      const [tenant] = yield* tenants.list({ limit: 1 })
      if (tenant === undefined) return state
      const entries: Array<UsageEntry> = []
      for (const guild of yield* guilds.listByTenant(tenant.id)) {
        const guildHash = hashGuild(guild.guildId)
        for (const usage of yield* quotas.dailyUsage(tenant.id, guild.guildId, from, yesterday)) {
          entries.push({ guild: guildHash, day: usage.day, meter: usage.meter, amount: usage.used })
        }
      }
      entries.sort((a, b) =>
        a.day !== b.day ? (a.day < b.day ? -1 : 1) : a.guild !== b.guild ?
          (a.guild < b.guild ? -1 : 1) :
          a.meter < b.meter
          ? -1
          : a.meter > b.meter
          ? 1
          : 0
      )
      // An empty period is reported too: the server then knows the install ran and used nothing.
      const chunks: Array<Array<UsageEntry>> = []
      for (let start = 0; start === 0 || start < entries.length; start += maxUsageEntries) {
        chunks.push(entries.slice(start, start + maxUsageEntries))
      }
      const outbox = [...state.outbox]
      let sequence = state.nextSequence
      for (const chunk of chunks) {
        const batch = UsageBatch.make({
          licenseId,
          fingerprint,
          sequence,
          periodStart: from,
          periodEnd: yesterday,
          entries: chunk
        })
        outbox.push({ sequence, signed: UsageBatches.sign(signer.sign, batch) })
        sequence += 1
      }
      const next: ReportState = { nextSequence: sequence, reportedThrough: yesterday, outbox }
      yield* save(licenseId, next)
      return next
    })

  /** Sends the outbox in order; the first batch the server does not take stops the round and stays. */
  const flush = (licenseId: LicenseId, initial: ReportState) =>
    Effect.gen(function*() {
      let state = initial
      const sent: Array<number> = []
      let stoppedBy: UsageReportRound["stoppedBy"] = Option.none()
      const log = Effect.annotateLogs({ licenseId })
      while (state.outbox.length > 0) {
        const [item, ...rest] = state.outbox as [typeof OutboxItem.Type, ...Array<typeof OutboxItem.Type>]
        const answer = yield* Effect.either(server.reportUsage(item.signed))
        if (Either.isRight(answer)) {
          state = { ...state, outbox: rest }
          yield* save(licenseId, state)
          sent.push(item.sequence)
          continue
        }
        const failure = answer.left
        if (failure._tag === "UsageReportConflict" && failure.code === "REPLAYED") {
          // The server has it (an answer lost on the way back): taken, unless the install's numbering fell behind.
          state = { ...state, outbox: rest }
          yield* save(licenseId, state)
          if (failure.expectedSequence > state.nextSequence) {
            yield* Effect.logError(
              `usage reports: batch ${item.sequence} was refused as REPLAYED and the server expects ` +
                `${failure.expectedSequence}, ahead of this install's numbering (${state.nextSequence}): ` +
                "was the database restored from a backup? Tell the operator; its reports until then are dropped"
            ).pipe(log)
          } else {
            yield* Effect.logWarning(`usage reports: batch ${item.sequence} had already been received; dropped`).pipe(
              log
            )
          }
          continue
        }
        stoppedBy = Option.some(failure)
        if (failure._tag === "LicenseServerUnreachable") {
          yield* Effect.logWarning(
            `usage reports: the license server is unreachable (${failure.message}); ` +
              `${state.outbox.length} batch(es) kept to resend with the same sequence`
          ).pipe(log)
        } else {
          yield* Effect.logError(
            `usage reports: batch ${item.sequence} refused (${failure.code}): ${failure.message}; ` +
              `${state.outbox.length} batch(es) kept, resent at the next round`
          ).pipe(log)
        }
        break
      }
      return { sent, pending: state.outbox.map((item) => item.sequence), stoppedBy } satisfies UsageReportRound
    })

  /** One round: batch the closed days not batched yet, then send every batch the server has not taken. */
  const report = (target: { readonly licenseId: LicenseId; readonly fingerprint: InstallFingerprint }) =>
    oneAtATime.withPermits(1)(
      Effect.gen(function*() {
        const now = yield* DateTime.now
        const state = yield* batchDue(target.licenseId, target.fingerprint, yield* load(target.licenseId), now)
        return yield* flush(target.licenseId, state)
      })
    )

  return { report, publicKey: signer.publicKey } as const
})

/**
 * The self-host side of usage reports (ADR 082): once a day's usage is final
 * (the next UTC day), it goes into a batch of hashed guilds, days, meters and
 * amounts, numbered and signed with the install's own report key and kept in
 * the install's database until the license server takes it; SelfHostLicense
 * runs a round after each successful refresh and sends the key with it.
 */
export interface UsageReporterService {
  /** One round: batch the closed days not batched yet, then send every batch the server has not taken. */
  readonly report: (target: {
    readonly licenseId: LicenseId
    readonly fingerprint: InstallFingerprint
  }) => Effect.Effect<UsageReportRound>
  /** The install's report public key, sent with each refresh so the server can check its batches. */
  readonly publicKey: string
}

export class UsageReporter extends Context.Tag("core/UsageReporter")<UsageReporter, UsageReporterService>() {
  static readonly layer = Layer.effect(UsageReporter, make)
}
