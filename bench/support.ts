import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Redacted } from "effect"
import { randomBytes } from "node:crypto"

/** A positive integer setting, e.g. BENCH_GUILDS, to scale a benchmark down for a quick run. */
export const positiveInt = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `${name} must be a positive integer`, validation: (n) => n > 0 })
  )

/** The Postgres server the benchmarks run on; each gets a schema of its own there (`benchSchema`). */
export const benchDatabaseUrl = Config.redacted("BENCH_DATABASE_URL").pipe(
  Config.withDefault(Redacted.make("postgres://postgres@127.0.0.1:5432/test"))
)

/** The same database with every pooled connection's search_path set to `schema`. */
export const withSearchPath = (url: Redacted.Redacted, schema: string): Redacted.Redacted => {
  const parsed = new URL(Redacted.value(url))
  parsed.searchParams.set("options", `-c search_path=${schema}`)
  return Redacted.make(parsed.toString())
}

/**
 * A fresh schema on the server (through the PgClient in context), dropped with
 * everything in it when the scope closes, whether the run succeeded or not.
 */
export const benchSchema = (log: (line: string) => Effect.Effect<void>) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const admin = yield* PgClient.PgClient
      const schema = `guildhall_bench_${randomBytes(6).toString("hex")}`
      yield* admin`CREATE SCHEMA ${admin(schema)}`
      yield* log(`created schema ${schema}`)
      return schema
    }),
    (schema) =>
      Effect.flatMap(PgClient.PgClient, (admin) =>
        admin`DROP SCHEMA ${admin(schema)} CASCADE`.pipe(
          Effect.zipRight(log(`dropped schema ${schema}`)),
          Effect.orDie
        ))
  )

/** Nearest-rank percentile of ascending samples. */
export const percentile = (sorted: ArrayLike<number>, fraction: number): number =>
  sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN
