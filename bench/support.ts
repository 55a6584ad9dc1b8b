import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted } from "effect"
import { randomBytes } from "node:crypto"

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
