import { HttpServer } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Layer, Option, Redacted, Ref, TestClock } from "effect"
import { NodeCrypto, SignatureVerifierEd25519 } from "../../adapters/crypto/index.js"
import { LicenseServerHttp } from "../../adapters/http/index.js"
import { RepositoriesMemory } from "../../adapters/memory/index.js"
import {
  BackgroundComponents,
  EntitlementRepo,
  LicenseServer,
  LicenseServerUnreachable,
  PlanKey,
  SelfHostLicense,
  SelfHostLicenseSettings,
  TenantRepo
} from "../../core/index.js"
import { rawJson, tenantWithGuild, TestServer } from "../http/harness.js"
import { makeTenant } from "../support/fixtures.js"

/**
 * A hosted runtime (the license server, over HTTP) and a self-host runtime
 * (SelfHostLicense over its own memory store) in one test, on one TestClock.
 */

/** The self-host install's side: its store, its tenant on the free plan, and a switch that takes the server away. */
const selfHost = (options: {
  readonly baseUrl: string
  readonly key?: string
  readonly file?: string
  readonly publicKey: string
}) =>
  Effect.gen(function*() {
    const down = yield* Ref.make(false)
    const http = yield* Effect.provide(LicenseServer, LicenseServerHttp(options.baseUrl))
    const switchable = Layer.succeed(
      LicenseServer,
      LicenseServer.of({
        lease: (request) =>
          Effect.flatMap(
            Ref.get(down),
            (isDown) =>
              isDown
                ? Effect.fail(new LicenseServerUnreachable({ message: "connection refused" }))
                : http.lease(request)
          ),
        reportUsage: (batch) =>
          Effect.flatMap(
            Ref.get(down),
            (isDown) =>
              isDown
                ? Effect.fail(new LicenseServerUnreachable({ message: "connection refused" }))
                : http.reportUsage(batch)
          )
      })
    )
    const runtime = SelfHostLicense.layer.pipe(
      Layer.provideMerge(
        Layer.mergeAll(
          switchable,
          SignatureVerifierEd25519,
          NodeCrypto,
          Layer.succeed(SelfHostLicenseSettings, {
            key: Option.map(Option.fromNullable(options.key), Redacted.make),
            file: Option.fromNullable(options.file),
            publicKey: options.publicKey,
            applicationId: "900000000000000042",
            version: "0.1.0"
          })
        )
      ),
      Layer.provideMerge(RepositoriesMemory)
    )
    const context = yield* Layer.build(runtime)
    const tenants = yield* Effect.provide(TenantRepo, context)
    const tenant = makeTenant({ planKey: "free", name: "Self-hosted" })
    yield* tenants.insert(tenant)
    const license = yield* Effect.provide(SelfHostLicense, context)
    const tenantNow = Effect.map(tenants.findById(tenant.id), Option.getOrThrow)
    const overridesNow = Effect.provide(
      Effect.flatMap(EntitlementRepo, (repo) => repo.listOverrides(tenant.id)),
      context
    )
    return { check: license.check, run: license.run, down, tenantNow, overridesNow }
  })

describe("licensing: a self-host install against the hosted license server", () => {
  it.scoped("activates and refreshes; a revoke degrades it at the next refresh; it recovers when reinstated; a server away → the stored lease until notAfter, then read-only", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-12-01T12:00:00Z"))
      const { operatorKey, tenant } = yield* tenantWithGuild("Customer", PlanKey.make("premium"))
      const issued = yield* rawJson("POST", `/tenants/${tenant.id}/licenses`, operatorKey, { maxActivations: 1 })
      const licenseId: string = issued.body.license.id
      const { body: serverKey } = yield* rawJson("GET", "/licenses/public-key", operatorKey)
      const address = yield* HttpServer.addressWith((address) =>
        Effect.succeed(address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : "")
      )
      const install = yield* selfHost({ baseUrl: address, key: issued.body.key, publicKey: serverKey.publicKey })
      const operator = (action: string) =>
        rawJson("POST", `/tenants/${tenant.id}/licenses/${licenseId}/${action}`, operatorKey)

      // Activated: the install runs on the license's plan.
      const first = yield* install.check
      assert.strictEqual(first._tag, "Licensed")
      assert.strictEqual((yield* install.tenantNow).planKey, "premium")
      assert.strictEqual((yield* install.tenantNow).status, "active")
      assert.strictEqual((yield* install.check)._tag, "Licensed")

      // Revoked on the server: the next refresh degrades the install to read-only, with the reason.
      yield* operator("revoke")
      const revoked = yield* install.check
      assert.strictEqual(revoked._tag, "Degraded")
      if (revoked._tag === "Degraded") assert.include(revoked.message, "revoked")
      assert.strictEqual((yield* install.tenantNow).status, "read_only")
      yield* operator("reinstate")
      assert.strictEqual((yield* install.check)._tag, "Licensed")
      assert.strictEqual((yield* install.tenantNow).status, "active")

      // The server goes away: the stored lease carries the install through its offline grace (7 days)...
      yield* Ref.set(install.down, true)
      yield* TestClock.adjust("6 days")
      const grace = yield* install.check
      assert.strictEqual(grace._tag, "OfflineGrace")
      assert.strictEqual((yield* install.tenantNow).status, "active")
      // ...and no further.
      yield* TestClock.adjust("2 days")
      const expired = yield* install.check
      assert.strictEqual(expired._tag, "Degraded")
      assert.strictEqual((yield* install.tenantNow).status, "read_only")

      // Back online: the next good refresh recovers it.
      yield* Ref.set(install.down, false)
      assert.strictEqual((yield* install.check)._tag, "Licensed")
      assert.strictEqual((yield* install.tenantNow).status, "active")

      // A clock moved back before the last lease's issue: refused, read-only.
      yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.unsafeMake("2026-12-01T00:00:00Z")))
      const rolledBack = yield* install.check
      assert.strictEqual(rolledBack._tag, "Degraded")
      if (rolledBack._tag === "Degraded") assert.include(rolledBack.message, "clock")
      assert.strictEqual((yield* install.tenantNow).status, "read_only")
    }).pipe(Effect.provide(TestServer)))

  it.scoped("the lease's own flags and limits apply on top of the plan, once, and follow the license", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-12-01T12:00:00Z"))
      const { operatorKey, tenant } = yield* tenantWithGuild("Custom Deal", PlanKey.make("premium"))
      const issued = yield* rawJson("POST", `/tenants/${tenant.id}/licenses`, operatorKey, {
        planKey: "basic",
        flags: ["xp-roles", "white-label"],
        limits: { maxPaidRoles: 42, maxGuilds: 3 }
      })
      assert.strictEqual(issued.status, 201)
      assert.deepStrictEqual(issued.body.license.flags, ["xp-roles", "white-label"])
      const { body: serverKey } = yield* rawJson("GET", "/licenses/public-key", operatorKey)
      const address = yield* HttpServer.addressWith((address) =>
        Effect.succeed(address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : "")
      )
      const install = yield* selfHost({ baseUrl: address, key: issued.body.key, publicKey: serverKey.publicKey })
      assert.strictEqual((yield* install.check)._tag, "Licensed")
      assert.strictEqual((yield* install.tenantNow).planKey, "basic")
      const [grant, ...more] = yield* install.overridesNow
      assert.deepStrictEqual(more, [])
      assert.strictEqual(grant!.reason, `license ${issued.body.license.id}`)
      assert.deepStrictEqual([...grant!.features].sort(), ["white-label", "xp-roles"])
      assert.deepStrictEqual(grant!.limits, { maxPaidRoles: 42, maxGuilds: 3 })

      // A refresh granting the same leaves the override as it is.
      yield* TestClock.adjust("2 hours")
      assert.strictEqual((yield* install.check)._tag, "Licensed")
      const after = yield* install.overridesNow
      assert.deepStrictEqual(after.map((o) => o.id), [grant!.id])
    }).pipe(Effect.provide(TestServer)))

  it.scoped("an air-gapped install runs on an offline license file until it ends, never calling the server", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-12-01T12:00:00Z"))
      const { operatorKey, tenant } = yield* tenantWithGuild("Air Gapped", PlanKey.make("premium"))
      const issued = yield* rawJson("POST", `/tenants/${tenant.id}/licenses`, operatorKey, {})
      const { body: serverKey } = yield* rawJson("GET", "/licenses/public-key", operatorKey)
      const offline = yield* rawJson(
        "POST",
        `/tenants/${tenant.id}/licenses/${issued.body.license.id}/offline-file`,
        operatorKey,
        { validDays: 30 }
      )
      assert.strictEqual(offline.status, 200)
      // Nowhere to call: a server address that refuses connections.
      const install = yield* selfHost({
        baseUrl: "http://127.0.0.1:9",
        file: offline.body.file,
        publicKey: serverKey.publicKey
      })
      assert.strictEqual((yield* install.check)._tag, "Licensed")
      assert.strictEqual((yield* install.tenantNow).planKey, "premium")
      // The refresh loop reports the standing to readiness as the "license" component (ADR 095).
      const registry = yield* Effect.provide(BackgroundComponents, BackgroundComponents.layer)
      yield* install.run.pipe(Effect.provideService(BackgroundComponents, registry), Effect.forkScoped)
      yield* TestClock.adjust("1 second")
      const [reported] = yield* registry.report
      assert.deepStrictEqual([reported?.name, reported?.status], ["license", "up"])
      assert.match(reported?.detail ?? "", /^licensed on the premium plan until 2026-12-31/)
      yield* TestClock.adjust("31 days")
      assert.strictEqual((yield* install.check)._tag, "Degraded")
      assert.strictEqual((yield* install.tenantNow).status, "read_only")

      // A file signed by another server is refused.
      const foreign = yield* selfHost({
        baseUrl: "http://127.0.0.1:9",
        file: offline.body.file,
        publicKey: "x".repeat(43)
      })
      assert.strictEqual((yield* foreign.check)._tag, "Degraded")
    }).pipe(Effect.provide(TestServer)))
})
