import { Config, Effect, Layer, Option, Redacted } from "effect"
import { readFile } from "node:fs/promises"
import {
  Ed25519,
  LicenseSignerEd25519,
  SignatureVerifierEd25519,
  SigningKeysEd25519
} from "../adapters/crypto/index.js"
import { LicenseServerHttp } from "../adapters/http/index.js"
import {
  LeasePolicy,
  Licenses,
  PlatformSettingsRepo,
  SelfHostLicense,
  SelfHostLicenseSettings,
  UsageReporter
} from "../core/index.js"
import { version } from "./version.js"

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

/**
 * The self-host side: GUILDHALL_LICENSE (a key, activated with
 * LICENSE_SERVER_BASE) or GUILDHALL_LICENSE_FILE (an offline lease file), the
 * operator's public key (GUILDHALL_LICENSE_PUBLIC_KEY) and the install's
 * Discord application (DISCORD_APPLICATION_ID). None when neither a key nor a
 * file is set: the install then runs unlicensed (not enforced yet).
 */
export const selfHostLicenseConfig = Config.all({
  // An empty variable (`GUILDHALL_LICENSE=` in a compose file) means unset.
  key: Config.option(Config.redacted("GUILDHALL_LICENSE")).pipe(
    Config.map(Option.filter((key) => Redacted.value(key).trim() !== ""))
  ),
  file: Config.option(Config.string("GUILDHALL_LICENSE_FILE")).pipe(
    Config.map(Option.filter((path) => path.trim() !== ""))
  ),
  serverBase: Config.string("LICENSE_SERVER_BASE").pipe(Config.withDefault("")),
  publicKey: Config.string("GUILDHALL_LICENSE_PUBLIC_KEY").pipe(Config.withDefault("")),
  applicationId: Config.string("DISCORD_APPLICATION_ID").pipe(Config.withDefault(""))
})

/** For the self-host runner's lifetime: checks the license now and at every refresh (see SelfHostLicense). */
export const SelfHostLicensingLive = Layer.scopedDiscard(
  Effect.gen(function*() {
    const config = yield* selfHostLicenseConfig
    if (Option.isNone(config.key) && Option.isNone(config.file)) {
      return yield* Effect.logWarning(
        "license: GUILDHALL_LICENSE and GUILDHALL_LICENSE_FILE are unset; this install runs unlicensed " +
          "(set one to apply the plan the operator licensed)"
      )
    }
    const missing = [
      config.publicKey === "" ? "GUILDHALL_LICENSE_PUBLIC_KEY (GET /licenses/public-key on the license server)" : null,
      Option.isSome(config.key) && config.serverBase === "" ? "LICENSE_SERVER_BASE" : null,
      Option.isSome(config.key) && config.applicationId === "" ? "DISCORD_APPLICATION_ID" : null
    ].filter((name) => name !== null)
    if (missing.length > 0) {
      return yield* Effect.dieMessage(`A licensed self-host install needs ${missing.join(", ")}`)
    }
    const file = yield* Option.match(config.file, {
      onNone: () => Effect.succeed(Option.none<string>()),
      onSome: (path) =>
        Effect.map(
          Effect.tryPromise({
            try: () => readFile(path, "utf8"),
            catch: (error) => new Error(`GUILDHALL_LICENSE_FILE ${path} cannot be read: ${String(error)}`)
          }).pipe(Effect.orDie),
          Option.some
        )
    })
    // An install with a key also reports its usage after each good refresh (ADR 082); a license file cannot.
    const reporter = Option.isSome(config.key)
      ? UsageReporter.layer.pipe(Layer.provide(Layer.merge(LicenseServerHttp(config.serverBase), SigningKeysEd25519)))
      : Layer.empty
    const license = yield* Effect.provide(
      SelfHostLicense,
      SelfHostLicense.layer.pipe(
        Layer.provide(reporter),
        Layer.provide(
          Layer.mergeAll(
            LicenseServerHttp(config.serverBase),
            Layer.succeed(SelfHostLicenseSettings, {
              key: config.key,
              file,
              publicKey: config.publicKey.trim(),
              applicationId: config.applicationId,
              version
            })
          )
        )
      )
    )
    yield* Effect.forkScoped(license.run)
  })
)
