import { Console, Effect, Redacted } from "effect"
import { ApiKeyRepo, ApiKeys, syncFeatureCatalog, Tenancy, TenantRepo } from "../core/index.js"
import type { RunMode } from "./Settings.js"

/**
 * Every boot syncs the feature catalog. First boot: a self-host install
 * creates its single tenant, and any install with no operator key issues one
 * and prints it once (only its hash is kept). Later boots find both and do nothing.
 */
export const bootstrap = (mode: RunMode, selfHostTenantName: string) =>
  Effect.gen(function*() {
    yield* syncFeatureCatalog
    if (mode === "self-host") {
      const [existing] = yield* (yield* TenantRepo).list({ limit: 1 })
      if (!existing) {
        const tenant = yield* (yield* Tenancy).createTenant({ name: selfHostTenantName, mode: "self_host" })
        yield* Console.log(`Created the self-host tenant ${tenant.id} (${tenant.name})`)
      }
    }
    if (yield* (yield* ApiKeyRepo).hasActiveOperatorKey) return
    const issued = yield* (yield* ApiKeys).issue({ _tag: "Operator" }, "first boot")
    yield* Effect.logInfo("issued the first operator API key").pipe(
      Effect.annotateLogs({ keyId: issued.record.id, prefix: issued.record.prefix })
    )
    // A plain line on stderr, never a log record and never on stdout (the log stream): log pipelines keep what
    // they receive, and the terminal still shows it.
    yield* Console.error(
      `Operator API key (shown once; store it now): ${Redacted.value(issued.key)}`
    )
  })
