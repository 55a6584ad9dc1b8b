import type { SqlError } from "@effect/sql/SqlError"
import { Context, type Effect } from "effect"

/**
 * A transaction of one statement in one round trip: its opener, the statement
 * and COMMIT written together (ADR 091). The Postgres server's client provides
 * it; without it (PGlite, which has no round trip) TenantScope opens an
 * ordinary transaction. If any part fails, nothing is committed and the first
 * failure is returned.
 */
export class OneStatementTransaction extends Context.Tag("adapters/postgres/OneStatementTransaction")<
  OneStatementTransaction,
  {
    /** `opener` is a parameterless BEGIN with its settings; `statement` is compiled text and parameters. */
    readonly run: (
      opener: string,
      statement: readonly [text: string, params: ReadonlyArray<unknown>]
    ) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, SqlError>
  }
>() {}
