import { SqlClient } from "@effect/sql"
import { Duration, Effect, Layer } from "effect"
import { NotReady, Readiness } from "../../core/index.js"

const answerWithin = Duration.seconds(5)

/** Ready when the database answers `SELECT 1` within a few seconds. */
export const ReadinessSql = Layer.effect(
  Readiness,
  Effect.map(SqlClient.SqlClient, (sql) =>
    Readiness.of({
      check: sql`SELECT 1`.pipe(
        Effect.timeoutFail({
          duration: answerWithin,
          onTimeout: () =>
            new NotReady({
              component: "database",
              message: `The database did not answer within ${
                Duration.format(answerWithin)
              }; check that it is running and reachable`
            })
        }),
        Effect.catchTag("SqlError", (error) =>
          Effect.fail(
            new NotReady({
              component: "database",
              message: `The database did not answer SELECT 1: ${
                error.cause instanceof Error ? error.cause.message : error.message
              }; check DATABASE_URL (or GUILDHALL_DATA_DIR) and that the database is running`
            })
          )),
        Effect.asVoid
      )
    }))
)
