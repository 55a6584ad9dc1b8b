import { Command, Options } from "@effect/cli"
import { Console, Effect, Option, Redacted } from "effect"
import { ApiKeys, PlanKey, Tenancy, TenantId } from "../core/index.js"
import { ApplicationLive } from "./Application.js"
import { MigratedDatabaseLive } from "./Database.js"
import { serve } from "./Serve.js"
import { RunMode } from "./Settings.js"
import { version } from "./version.js"

/** The core over the configured database, for one-shot commands. */
const CommandRuntime = ApplicationLive

const mode = Options.choice("mode", ["hosted", "self-host"]).pipe(
  Options.withDescription(
    "hosted: many tenants (the operator's platform); self-host: one tenant, created on first boot"
  ),
  Options.withFallbackConfig(RunMode)
)

const serveCommand = Command.make("serve", { mode }, ({ mode }) => serve(mode)).pipe(
  Command.withDescription("Serve the HTTP API (and, later, the Discord runtime) until SIGTERM/SIGINT")
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
    mode: Options.choice("mode", ["hosted", "self_host"]).pipe(Options.withDefault("hosted" as const))
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

const tenantsCommand = Command.make("tenants").pipe(Command.withSubcommands([tenantsCreate]))
const keysCommand = Command.make("keys").pipe(Command.withSubcommands([keysCreate]))

export const guildhall = Command.make("guildhall").pipe(
  Command.withDescription("Guildhall: the multi-tenant core for Discord bot businesses"),
  Command.withSubcommands([serveCommand, migrateCommand, tenantsCommand, keysCommand])
)

export const runCli = Command.run(guildhall, { name: "guildhall", version })
