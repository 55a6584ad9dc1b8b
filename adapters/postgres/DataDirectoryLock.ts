import { Data, Effect, type Scope } from "effect"
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs"
import path from "node:path"

/**
 * One process at a time opens an embedded database (ADR 094): PGlite is a
 * single backend over plain files, and a second process writing the same
 * directory loses its writes (or corrupts the server's). The lock is a file,
 * `guildhall.lock`, holding the owner's pid, created atomically; it is removed
 * when the database closes, and a lock whose pid is dead is left from a crash
 * and taken over.
 */
export class DataDirectoryLocked extends Data.TaggedError("DataDirectoryLocked")<{
  readonly dataDir: string
  readonly pid: number
  readonly message: string
}> {}

export const lockFileName = "guildhall.lock"

/** Directories this process holds: a second open in the same process is refused too. */
const heldHere = new Set<string>()

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return errorCode(error) === "EPERM"
  }
}

const ownerOf = (file: string): number | undefined => {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8").trim(), 10)
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined
    throw error
  }
}

/**
 * Creates the lock file with our pid in one step: written under a private
 * name, then hard-linked to the lock's name, which fails if it exists, so no
 * other process ever reads a lock file without its pid.
 */
const tryCreate = (file: string): boolean => {
  const draft = `${file}.${process.pid}.draft`
  writeFileSync(draft, `${process.pid}\n`)
  try {
    linkSync(draft, file)
    return true
  } catch (error) {
    if (errorCode(error) === "EEXIST") return false
    throw error
  } finally {
    unlinkSync(draft)
  }
}

/**
 * Moves a dead owner's lock aside. Renamed rather than deleted, so that of
 * two processes clearing the same stale lock, the slower one cannot delete the
 * faster one's new lock: it checks what it moved and puts a live lock back.
 */
const clearStale = (file: string, stalePid: number) => {
  const aside = `${file}.${process.pid}.stale`
  try {
    renameSync(file, aside)
  } catch (error) {
    if (errorCode(error) === "ENOENT") return
    throw error
  }
  const moved = ownerOf(aside)
  if (moved !== undefined && moved !== stalePid && isRunning(moved)) {
    try {
      linkSync(aside, file)
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error
    }
  }
  unlinkSync(aside)
}

const locked = (dataDir: string, pid: number) =>
  new DataDirectoryLocked({
    dataDir,
    pid,
    message: `The embedded database at ${dataDir} is open in another process (pid ${pid}): the server is ` +
      `running on this directory. Stop it, or use the HTTP API / a Postgres server (DATABASE_URL). ` +
      `(If pid ${pid} is not Guildhall, the lock was left by a crash: delete ${path.join(dataDir, lockFileName)}.)`
  })

const acquire = (dataDir: string): Effect.Effect<void, DataDirectoryLocked> =>
  Effect.suspend(() => {
    const key = path.resolve(dataDir)
    if (heldHere.has(key)) return Effect.fail(locked(dataDir, process.pid))
    const file = path.join(dataDir, lockFileName)
    // A few rounds: each lost race against another opener or a stale lock's removal goes round again.
    for (let round = 0; round < 5; round++) {
      if (tryCreate(file)) {
        heldHere.add(key)
        return Effect.void
      }
      const owner = ownerOf(file)
      if (owner === undefined) continue
      // Our own pid in a lock we do not hold: a previous life of this process slot (a container's pid 1).
      if (owner !== process.pid && isRunning(owner)) return Effect.fail(locked(dataDir, owner))
      clearStale(file, owner)
    }
    return Effect.fail(locked(dataDir, ownerOf(file) ?? 0))
  })

const release = (dataDir: string) =>
  Effect.sync(() => {
    heldHere.delete(path.resolve(dataDir))
    const file = path.join(dataDir, lockFileName)
    // Only our own lock: never one another process took over.
    if (ownerOf(file) === process.pid) unlinkSync(file)
  })

/** Holds the directory's lock for the scope; fails at once, having written nothing, when another process holds it. */
export const lockDataDirectory = (dataDir: string): Effect.Effect<void, DataDirectoryLocked, Scope.Scope> =>
  Effect.acquireRelease(acquire(dataDir), () => release(dataDir))
