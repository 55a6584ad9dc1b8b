import { Args, Command, Options } from "@effect/cli"
import { Cause, Console, Effect, Option, Redacted } from "effect"
import { readFile, writeFile } from "node:fs/promises"
import { DataDirectoryLocked } from "../adapters/postgres/index.js"
import { ApiKeys, Exports, modeSpellings, PlanKey, Tenancy, TenantId, type TenantMode } from "../core/index.js"
import { ApplicationLive } from "./Application.js"
import { MigratedDatabaseLive } from "./Database.js"
import { serve } from "./Serve.js"
import { RunMode, runModeSpellings } from "./Settings.js"
import { version } from "./version.js"

/** The core over the configured database, for one-shot commands. */
const CommandRuntime = ApplicationLive

/** serve's --mode: `self_host` documented, `self-host` accepted (docs/OPERATIONS.md). */
export const serveMode = Options.choiceWithValue("mode", runModeSpellings).pipe(
  Options.withDescription(
    "hosted: many tenants (the operator's platform); self_host (or self-host): one tenant, created on first boot"
  ),
  Options.withFallbackConfig(RunMode)
)

/** tenants create's --mode: the tenant's mode, either spelling. */
export const tenantMode = Options.choiceWithValue("mode", [...modeSpellings]).pipe(
  Options.withDescription("hosted (the default) or self_host (self-host is accepted too)"),
  Options.withDefault<TenantMode>("hosted")
)

const serveCommand = Command.make("serve", { mode: serveMode }, ({ mode }) => serve(mode)).pipe(
  Command.withDescription("Serve the HTTP API and the Discord runtime until SIGTERM/SIGINT")
)

const migrateCommand = Command.make(
  "migrate",
  {},
  () => Effect.provide(Console.log("Database is migrated to the latest schema"), MigratedDatabaseLive)
).pipe(Command.withDescription("Apply pending database migrations and exit (serve also migrates at boot)"))

const tenantsCreate = Command.make(
  "create",
  {
    name: Options.text("name").pipe(Options.withDescription("The tenant's display name")),
    plan: Options.text("plan").pipe(
      Options.withDescription("Plan key (free, basic, premium, enterprise)"),
      Options.optional
    ),
    mode: tenantMode
  },
  ({ mode, name, plan }) =>
    Effect.gen(function*() {
      const tenant = yield* (yield* Tenancy).createTenant({
        name,
        mode,
        planKey: Option.getOrUndefined(Option.map(plan, (key) => PlanKey.make(key)))
      })
      yield* Console.log(JSON.stringify(tenant, null, 2))
    }).pipe(Effect.provide(CommandRuntime))
).pipe(Command.withDescription("Create a tenant and print it as JSON"))

const keysCreate = Command.make(
  "create",
  {
    tenant: Options.text("tenant").pipe(
      Options.withDescription("Tenant id; without it, an operator key (acts on every tenant)"),
      Options.withSchema(TenantId),
      Options.optional
    ),
    name: Options.text("name").pipe(Options.withDescription("A label to tell keys apart"), Options.withDefault("cli"))
  },
  ({ name, tenant }) =>
    Effect.gen(function*() {
      const owner = Option.match(tenant, {
        onNone: () => ({ _tag: "Operator" as const }),
        onSome: (tenantId) => ({ _tag: "Tenant" as const, tenantId })
      })
      const issued = yield* (yield* ApiKeys).issue(owner, name)
      yield* Console.log(`API key ${issued.record.id} (${issued.record.prefix}…), shown once:`)
      yield* Console.log(Redacted.value(issued.key))
    }).pipe(Effect.provide(CommandRuntime))
).pipe(Command.withDescription("Issue an API key and print it once"))

const exportCommand = Command.make(
  "export",
  {
    tenant: Options.text("tenant").pipe(Options.withDescription("The tenant to export"), Options.withSchema(TenantId)),
    out: Options.file("out").pipe(Options.withDescription("Where to write the archive (.tar.gz)"))
  },
  ({ out, tenant }) =>
    Effect.gen(function*() {
      const exports = yield* Exports
      const exported = yield* exports.exportNow(tenant, "cli")
      if (exported.status !== "ready") return yield* Effect.fail(new Error(`Export failed: ${exported.error}`))
      const bytes = yield* exports.archive(tenant, exported.id)
      yield* Effect.promise(() => writeFile(out, bytes))
      const rows = (exported.tables ?? []).reduce((sum, table) => sum + table.rows, 0)
      yield* Console.log(
        `Exported tenant ${tenant}: ${rows} rows, ${bytes.length} bytes, sha256 ${exported.sha256} → ${out}`
      )
    }).pipe(Effect.provide(CommandRuntime))
).pipe(Command.withDescription("Write a tenant's signed export archive to a file"))

const importCommand = Command.make(
  "import",
  { file: Args.file({ name: "file", exists: "yes" }).pipe(Args.withDescription("An archive guildhall export wrote")) },
  ({ file }) =>
    Effect.gen(function*() {
      const bytes = new Uint8Array(yield* Effect.promise(() => readFile(file)))
      const summary = yield* (yield* Exports).importArchive(bytes, { actor: "cli" })
      const rows = summary.tables.reduce((sum, table) => sum + table.rows, 0)
      yield* Console.log(
        `Imported tenant ${summary.tenantId} (exported ${summary.exportedAt}): ${rows} rows` +
          (summary.replaced === null ? "" : `; replaced the empty first-boot tenant ${summary.replaced}`)
      )
    }).pipe(Effect.provide(CommandRuntime))
).pipe(
  Command.withDescription(
    "Verify an export archive (signature, checksums, version) and restore it in one transaction"
  )
)

const tenantsCommand = Command.make("tenants").pipe(Command.withSubcommands([tenantsCreate]))
const keysCommand = Command.make("keys").pipe(Command.withSubcommands([keysCreate]))

export const guildhall = Command.make("guildhall").pipe(
  Command.withDescription("Guildhall: the multi-tenant core for Discord bot businesses"),
  Command.withSubcommands([serveCommand, migrateCommand, tenantsCommand, keysCommand, exportCommand, importCommand])
)

const run = Command.run(guildhall, { name: "guildhall", version })

/**
 * Runs the CLI. A command refused because another process (the server) holds the embedded database says so in
 * plain words on stderr, with the way to a new operator key, and exits non-zero having written nothing.
 */
export const runCli = (argv: ReadonlyArray<string>) =>
  run(argv).pipe(
    Effect.tapError((error) =>
      error instanceof DataDirectoryLocked
        ? Console.error(
          `${error.message}\nTo issue an operator API key while the server runs, create an empty file at ` +
            "GUILDHALL_BOOTSTRAP_KEY_FILE (default: <data directory>/new-operator-key); the server writes the " +
            "key into it (docs/OPERATIONS.md)."
        )
        : Effect.void
    )
  )

/**
 * Whether runCli has already told the person why it failed (in plain words on stderr), so the failure needs no
 * log record with a stack trace as well.
 */
export const failureExplained = (cause: Cause.Cause<unknown>): boolean =>
  Option.exists(Cause.failureOption(cause), (error) => error instanceof DataDirectoryLocked)
