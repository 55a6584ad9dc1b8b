import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Scope } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DataDirectoryLocked, lockFileName, PgliteClient } from "../../adapters/postgres/index.js"

/** A fresh directory, removed when the test's scope closes. */
const freshDirectory = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "guildhall-lock-"))),
  (directory) => Effect.sync(() => rmSync(directory, { recursive: true, force: true }))
)

/** The pid of a process that has exited: what a crashed server leaves in its lock. */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!

/** Opens PGlite on the directory in a scope of its own, closed by the caller. */
const open = (dataDir: string) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const exit = yield* Layer.buildWithScope(PgliteClient.layer({ dataDir }), scope).pipe(Effect.exit)
    return { exit, close: Scope.close(scope, Exit.void) }
  })

describe("the PGlite data directory lock", () => {
  it.scoped(
    "holds the owner's pid while open, refuses a second opener, and is removed on close",
    () =>
      Effect.gen(function*() {
        const dataDir = yield* freshDirectory
        const first = yield* open(dataDir)
        assert.isTrue(Exit.isSuccess(first.exit))
        assert.strictEqual(readFileSync(join(dataDir, lockFileName), "utf8").trim(), String(process.pid))

        const second = yield* open(dataDir)
        assert.isTrue(Exit.isFailure(second.exit))
        const error = yield* Effect.flip(second.exit)
        assert.instanceOf(error, DataDirectoryLocked)
        assert.include((error as DataDirectoryLocked).message, "the server is running on this directory")
        yield* second.close

        yield* first.close
        assert.isFalse(existsSync(join(dataDir, lockFileName)))
        // No draft or stale files left behind.
        assert.deepStrictEqual(readdirSync(dataDir).filter((file) => file.startsWith(lockFileName)), [])

        const again = yield* open(dataDir)
        assert.isTrue(Exit.isSuccess(again.exit))
        yield* again.close
      }),
    { timeout: 60_000 }
  )

  it.scoped("refuses at once, naming the pid, when another live process holds the lock", () =>
    Effect.gen(function*() {
      const dataDir = yield* freshDirectory
      const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" })
      yield* Effect.addFinalizer(() => Effect.sync(() => holder.kill("SIGKILL")))
      writeFileSync(join(dataDir, lockFileName), `${holder.pid}\n`)

      const opened = yield* open(dataDir)
      const error = yield* Effect.flip(opened.exit)
      assert.instanceOf(error, DataDirectoryLocked)
      assert.strictEqual((error as DataDirectoryLocked).pid, holder.pid)
      assert.include((error as DataDirectoryLocked).message, `(pid ${holder.pid})`)
      // Nothing written: PGlite never opened, the holder's lock is untouched.
      assert.deepStrictEqual(readdirSync(dataDir), [lockFileName])
      assert.strictEqual(readFileSync(join(dataDir, lockFileName), "utf8").trim(), String(holder.pid))
    }), { timeout: 60_000 })

  it.scoped("takes over a lock left by a process that died (a crash)", () =>
    Effect.gen(function*() {
      const dataDir = yield* freshDirectory
      writeFileSync(join(dataDir, lockFileName), `${deadPid()}\n`)

      const opened = yield* open(dataDir)
      assert.isTrue(Exit.isSuccess(opened.exit))
      assert.strictEqual(readFileSync(join(dataDir, lockFileName), "utf8").trim(), String(process.pid))
      yield* opened.close
    }), { timeout: 60_000 })
})
