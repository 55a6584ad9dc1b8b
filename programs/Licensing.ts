import { Config, Effect, Layer, Option, Redacted } from "effect"
import { Ed25519, LicenseSignerEd25519, SignatureVerifierEd25519 } from "../adapters/crypto/index.js"
import { LeasePolicy, Licenses, PlatformSettingsRepo } from "../core/index.js"

/** The platform setting a generated signing key is kept under. */
export const licenseSigningKeySetting = "license_signing_key"

/**
 * GUILDHALL_LICENSE_SIGNING_KEY: the license server's Ed25519 private key
 * (base64url PKCS#8). Unset: the first replica generates one into the
 * platform settings, so every replica signs with the same key.
 */
export const licenseSigningKeyConfig = Config.option(Config.redacted("GUILDHALL_LICENSE_SIGNING_KEY")).pipe(
  Config.map(Option.filter((key) => Redacted.value(key).trim() !== ""))
)

/** The signer (configured or generated key) and the verifier of license keys and leases. Needs PlatformSettingsRepo. */
export const LicenseSigningLive = Layer.merge(
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const configured = yield* licenseSigningKeyConfig
      const key = Option.isSome(configured)
        ? Redacted.value(configured.value)
        : yield* (yield* PlatformSettingsRepo).getOrInsert(
          licenseSigningKeySetting,
          Ed25519.generateKeyPair().privateKey
        )
      return LicenseSignerEd25519.layer(key.trim())
    })
  ),
  SignatureVerifierEd25519
)

/** The license server: Licenses over the signing key and the default lease policy. */
export const LicensesLive = Licenses.layer.pipe(
  Layer.provideMerge(Layer.merge(LicenseSigningLive, LeasePolicy.layer()))
)
