import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import {
  Activation,
  InstallFingerprint,
  License,
  LicenseId,
  LicenseLimits,
  PlanKey,
  TenantId,
  UsageReceipt,
  UsageReport
} from "../../../core/index.js"
import { Access } from "../Access.js"
import { Authentication } from "../Auth.js"
import {
  InvalidInput,
  KeyInvalid,
  LicenseNotFound,
  LicenseRefused,
  OperatorOnly,
  PayloadTooLarge,
  TenantNotFound,
  UnknownPlan,
  UsageReportBadSignature,
  UsageReportConflict,
  UsageReportNotActivated
} from "../shared/Errors.js"

/** Too many activation calls for one key or from one address. */
export class LicenseRateLimited extends Schema.TaggedError<LicenseRateLimited>()(
  "LicenseRateLimited",
  { message: Schema.String, retryAfterSeconds: Schema.Number },
  HttpApiSchema.annotations({ status: 429 })
) {}

const LicenseKeyField = Schema.Redacted(Schema.String).annotations({
  description: "The license key (GH1.…) the operator issued"
})

export const LeaseRequestBody = Schema.Struct({
  key: LicenseKeyField,
  fingerprint: InstallFingerprint.annotations({
    description: "The install: its Discord application id and the install id it generated once and stored"
  }),
  version: Schema.String.annotations({ description: "The install's Guildhall version" }),
  nonce: Schema.String.annotations({ description: "A fresh random value; the signed lease echoes it" }),
  reportKey: Schema.optional(Schema.String).annotations({
    description: "The install's Ed25519 usage report public key (base64url, 32 bytes); the first one registered " +
      "for this install stays"
  })
}).annotations({ identifier: "LeaseRequest" })

export const SignedUsageBatchBody = Schema.Struct({
  batch: Schema.String.annotations({
    description: "base64url of the batch's canonical JSON: licenseId, fingerprint, sequence, periodStart, " +
      "periodEnd, entries [{ guild (HMAC hash), day, meter, amount }]"
  }),
  signature: Schema.String.annotations({
    description: "Ed25519 signature (base64url) of 'guildhall-usage/1.<batch>' with the install's report key"
  })
}).annotations({ identifier: "SignedUsageBatch" })

export const DeactivateBody = Schema.Struct({ key: LicenseKeyField, fingerprint: InstallFingerprint })
  .annotations({ identifier: "DeactivateLicense" })

export const SignedLeaseResponse = Schema.Struct({
  lease: Schema.String.annotations({ description: "base64url of the lease's canonical JSON" }),
  signature: Schema.String.annotations({ description: "Ed25519 signature (base64url) of 'guildhall-lease/1.<lease>'" })
}).annotations({ identifier: "SignedLease" })

export const PublicKeyResponse = Schema.Struct({ keyId: Schema.String, publicKey: Schema.String })
  .annotations({ identifier: "LicensePublicKey" })

export const IssueLicenseBody = Schema.Struct({
  planKey: Schema.optional(PlanKey),
  maxActivations: Schema.optional(Schema.Int.pipe(Schema.between(1, 1_000))),
  expiresAt: Schema.optional(Schema.NullOr(Schema.DateTimeUtc)),
  flags: Schema.optional(Schema.Array(Schema.NonEmptyTrimmedString)).annotations({
    description: "Feature flags the install gets (default: the plan's); applied on top of its plan"
  }),
  limits: Schema.optional(LicenseLimits).annotations({
    description: "Limits the install gets, -1 unlimited (default: the plan's); applied whatever its plan catalog says"
  })
}).annotations({ identifier: "IssueLicense" })

export const IssuedLicense = Schema.Struct({
  license: License,
  key: Schema.String.annotations({ description: "Shown once: only its hash is stored" })
}).annotations({ identifier: "IssuedLicense" })

export const RegenerateBody = Schema.Struct({
  overlapSeconds: Schema.optional(Schema.Int.pipe(Schema.between(0, 30 * 86_400))).annotations({
    description: "How long the old key keeps working (default 0: revoked at once)"
  })
})

export const RegeneratedKey = Schema.Struct({ key: Schema.String, oldKeysUntil: Schema.DateTimeUtc })
  .annotations({ identifier: "RegeneratedLicenseKey" })

export const OfflineFileBody = Schema.Struct({
  validDays: Schema.optional(Schema.Int.pipe(Schema.between(1, 730))).annotations({
    description: "How long the file works (default 365 days, capped by the license's expiry)"
  })
})

export const OfflineFile = Schema.Struct({
  file: Schema.String.annotations({ description: "Save as a file and point GUILDHALL_LICENSE_FILE at it" }),
  notAfter: Schema.DateTimeUtc
}).annotations({ identifier: "OfflineLicenseFile" })

const TenantPath = Schema.Struct({ id: TenantId })
const LicensePath = Schema.Struct({ id: TenantId, licenseId: LicenseId })

/** Activate and refresh take and answer the same: a lease request, a signed lease or the refusal. */
const leaseEndpoint = <const Name extends string>(name: Name, path: `/licenses/${string}`) =>
  HttpApiEndpoint.post(name, path)
    .setPayload(LeaseRequestBody)
    .addSuccess(SignedLeaseResponse)
    .addError(KeyInvalid)
    .addError(InvalidInput)
    .addError(LicenseRefused)
    .addError(LicenseRateLimited)
    .addError(PayloadTooLarge)

/** What self-host installs call: no API key, the license key is the credential. */
export class LicenseServerApi extends HttpApiGroup.make("licenseServer")
  .add(
    leaseEndpoint("activate", "/licenses/activate")
      .annotate(OpenApi.Summary, "Activate an install and get its signed lease")
      .annotate(
        OpenApi.Description,
        "Answers a lease signed with the server's Ed25519 key: plan, flags, limits, refreshInSec, notAfter " +
          "(end of offline grace) and the request's nonce. A refused license is 403 with `code`: NOT_FOUND, " +
          "REVOKED, SUSPENDED, EXPIRED, FINGERPRINT_MISMATCH or TOO_MANY_ACTIVATIONS; a key that is not one " +
          "is 400. Rate-limited per key and per address (429)."
      )
  )
  .add(
    leaseEndpoint("refresh", "/licenses/refresh")
      .annotate(OpenApi.Summary, "Refresh an install's lease (activates it again if it lost its slot)")
  )
  .add(
    HttpApiEndpoint.post("deactivate", "/licenses/deactivate")
      .setPayload(DeactivateBody)
      .addSuccess(Schema.Void, { status: 204 })
      .addError(KeyInvalid)
      .addError(InvalidInput)
      .addError(LicenseRefused)
      .addError(LicenseRateLimited)
      .annotate(OpenApi.Summary, "Free the install's activation slot")
  )
  .add(
    HttpApiEndpoint.post("reportUsage", "/licenses/usage")
      .setPayload(SignedUsageBatchBody)
      .addSuccess(UsageReceipt)
      .addError(InvalidInput)
      .addError(UsageReportBadSignature)
      .addError(UsageReportNotActivated)
      .addError(UsageReportConflict)
      .addError(LicenseRateLimited)
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "Report an install's usage: one signed, sequence-numbered batch")
      .annotate(
        OpenApi.Description,
        "Takes the batch only if the install's report key (sent with activate/refresh) signed it (else 401 " +
          "BAD_SIGNATURE) and its sequence is the one after the last taken for this license and install: an " +
          "earlier one is 409 REPLAYED, a later one 409 GAP, both with `expectedSequence`. An install that never " +
          "registered a report key is 404 NOT_ACTIVATED. Rate-limited like activation."
      )
  )
  .add(
    HttpApiEndpoint.get("publicKey", "/licenses/public-key")
      .addSuccess(PublicKeyResponse)
      .annotate(OpenApi.Summary, "The key leases are signed with (configure self-host installs with it)")
  )
  .annotate(OpenApi.Description, "The license server: activation, refresh and deactivation of self-host installs")
{}

/** Suspend, revoke, reinstate: a license's status changed by the operator, answering the license. */
const statusEndpoint = <const Name extends "suspend" | "revoke" | "reinstate">(name: Name) =>
  HttpApiEndpoint.post(name, `/:licenseId/${name}`)
    .setPath(LicensePath)
    .addSuccess(License)
    .addError(LicenseNotFound)

/** The operator's license management. */
export class LicensesApi extends HttpApiGroup.make("licenses")
  .annotate(Access, Access.operator)
  .add(
    HttpApiEndpoint.post("issue", "/")
      .setPath(TenantPath)
      .setPayload(IssueLicenseBody)
      .addSuccess(IssuedLicense, { status: 201 })
      .addError(TenantNotFound)
      .addError(UnknownPlan)
      .addError(InvalidInput)
      .annotate(OpenApi.Summary, "Issue a license for the tenant's self-host install (the key is shown once)")
  )
  .add(
    HttpApiEndpoint.get("list", "/")
      .setPath(TenantPath)
      .addSuccess(Schema.Array(License))
      .addError(TenantNotFound)
  )
  .add(
    statusEndpoint("suspend")
      .annotate(OpenApi.Summary, "Suspend: installs degrade at their next refresh")
  )
  .add(
    statusEndpoint("revoke")
      .annotate(OpenApi.Summary, "Revoke: installs degrade at their next refresh")
  )
  .add(
    statusEndpoint("reinstate")
  )
  .add(
    HttpApiEndpoint.post("regenerate", "/:licenseId/regenerate")
      .setPath(LicensePath)
      .setPayload(RegenerateBody)
      .addSuccess(RegeneratedKey)
      .addError(LicenseNotFound)
      .annotate(OpenApi.Summary, "A new key; the old one works until the overlap ends")
  )
  .add(
    HttpApiEndpoint.post("offlineFile", "/:licenseId/offline-file")
      .setPath(LicensePath)
      .setPayload(OfflineFileBody)
      .addSuccess(OfflineFile)
      .addError(LicenseNotFound)
      .addError(LicenseRefused)
      .annotate(OpenApi.Summary, "An offline license file for an air-gapped install (GUILDHALL_LICENSE_FILE)")
  )
  .add(
    HttpApiEndpoint.get("activations", "/:licenseId/activations")
      .setPath(LicensePath)
      .addSuccess(Schema.Array(Activation))
      .addError(LicenseNotFound)
  )
  .add(
    HttpApiEndpoint.get("usageReports", "/:licenseId/usage-reports")
      .setPath(LicensePath)
      .addSuccess(Schema.Array(UsageReport))
      .addError(LicenseNotFound)
      .annotate(OpenApi.Summary, "The usage batches the license's installs reported (guild ids hashed)")
  )
  .prefix("/tenants/:id/licenses")
  .addError(OperatorOnly)
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Licenses for tenants' self-host installs (operator keys only)")
{}
