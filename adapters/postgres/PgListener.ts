import { SqlError } from "@effect/sql/SqlError"
import { Context, Effect, Redacted, Stream } from "effect"
import Pg from "pg"

/**
 * LISTEN on a Postgres server, each subscription on a connection of its own
 * (ADR 095). @effect/sql-pg's `listen` shares one connection among every
 * subscriber, never notices when it dies, and hands the same dead connection
 * to a subscriber that starts again; here a lost connection fails its stream,
 * and the next subscription opens a new one.
 */
export interface PgListenerService {
  readonly listen: (channel: string) => Stream.Stream<string, SqlError>
}

export class PgListener extends Context.Tag("adapters/postgres/PgListener")<PgListener, PgListenerService>() {}

const connectTimeoutMs = 5_000

export const makePgListener = (
  options: { readonly url: Redacted.Redacted; readonly applicationName: string }
): PgListenerService => ({
  listen: (channel) =>
    Stream.asyncPush<string, SqlError>((emit) =>
      Effect.gen(function*() {
        const lost = (cause: unknown) =>
          emit.fail(new SqlError({ cause, message: "The listening connection was lost" }))
        const client = yield* Effect.acquireRelease(
          Effect.tryPromise({
            try: async () => {
              const client = new Pg.Client({
                connectionString: Redacted.value(options.url),
                application_name: options.applicationName,
                connectionTimeoutMillis: connectTimeoutMs
              })
              // Attached before connecting: an unhandled 'error' event would end the process.
              client.on("error", lost)
              client.on("end", () => lost(new Error("the server ended the connection")))
              await client.connect()
              return client
            },
            catch: (cause) => new SqlError({ cause, message: "Failed to open a listening connection" })
          }),
          (client) =>
            Effect.promise(() => client.end().catch(() => undefined)).pipe(
              Effect.interruptible,
              Effect.timeoutOption(1000)
            )
        )
        client.on("notification", (message) => {
          if (message.channel === channel && message.payload !== undefined) emit.single(message.payload)
        })
        yield* Effect.tryPromise({
          try: () => client.query(`LISTEN ${Pg.escapeIdentifier(channel)}`),
          catch: (cause) => new SqlError({ cause, message: `Failed to LISTEN on ${channel}` })
        })
      })
    )
})
