import { Cause, Config, Effect, Redacted, Schedule } from "effect"
import { readFile, rename, writeFile } from "node:fs/promises"
import path from "node:path"
import { ApiKeys } from "../core/index.js"
import { DatabaseSettings } from "./Settings.js"

/**
 * An operator API key for a running server (ADR 094): the CLI cannot open the
 * embedded database while `serve` holds it, and an HTTP route would need a
 * key to begin with. So `serve` watches one file: when it exists and is empty,
 * the server issues an operator key and writes it into that file (mode 0600).
 * Whoever may create files there may read the database anyway, so the file
 * system is the authority; the key is never printed or logged.
 */
export const OperatorKeyFile = Config.string("GUILDHALL_BOOTSTRAP_KEY_FILE").pipe(Config.option)

/** GUILDHALL_BOOTSTRAP_KEY_FILE, `<GUILDHALL_DATA_DIR>/new-operator-key` by default. */
const operatorKeyFilePath = Effect.gen(function*() {
  const configured = yield* OperatorKeyFile
  const { dataDir } = yield* DatabaseSettings
  return configured._tag === "Some" ? configured.value : path.join(dataDir, "new-operator-key")
})

const contentsOf = (file: string) =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8").then((text): string | undefined => text),
    catch: (error) => error
  }).pipe(
    Effect.catchIf(
      (error) => (error as NodeJS.ErrnoException).code === "ENOENT",
      () => Effect.succeed(undefined)
    )
  )

/** Written under another name and renamed, so the file never holds half a key and is private from the start. */
const writePrivately = (file: string, text: string) =>
  Effect.tryPromise(async () => {
    const draft = `${file}.${process.pid}.tmp`
    await writeFile(draft, text, { mode: 0o600 })
    await rename(draft, file)
  })

/** One look at the file: an empty file is answered with a new operator key; anything else is left alone. */
export const answerOperatorKeyFile = (file: string) =>
  Effect.gen(function*() {
    const contents = yield* contentsOf(file)
    if (contents === undefined || contents.trim() !== "") return false
    const issued = yield* (yield* ApiKeys).issue({ _tag: "Operator" }, "key file")
    yield* writePrivately(file, `${Redacted.value(issued.key)}\n`)
    yield* Effect.logInfo(`issued an operator API key into ${file}: read it, store it, delete the file`).pipe(
      Effect.annotateLogs({ keyId: issued.record.id, prefix: issued.record.prefix })
    )
    return true
  })

/** Looks every second for as long as the server runs; a failed look is logged and the next one goes on. */
export const watchOperatorKeyFile = Effect.gen(function*() {
  const file = yield* operatorKeyFilePath
  const look = answerOperatorKeyFile(file).pipe(
    Effect.catchAllCause((cause) =>
      Effect.logWarning(`operator key file ${file}: could not answer it`).pipe(
        Effect.annotateLogs({ cause: Cause.pretty(cause) })
      )
    )
  )
  yield* Effect.logInfo(`operator keys: create an empty ${file} and the server writes a new operator key into it`)
  return yield* Effect.repeat(look, Schedule.spaced("1 second"))
})
