// `npm start`: serves from dist/guildhall.mjs, bundling it first only when it is missing or older than what goes
// into it (ADR 094). The server then runs in this very process (the bundle is imported, not spawned), so the signal
// npm forwards to its script reaches the server itself: no shell between them, no child left serving.
import { spawnSync } from "node:child_process"
import { readdirSync, statSync } from "node:fs"
import path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const binary = path.join(root, "dist", "guildhall.mjs")

// What the bundle is made of: our sources, the bundler script, and the installed dependencies
// (npm rewrites node_modules/.package-lock.json on every install that changes them).
const inputs = [
  "core",
  "adapters",
  "programs",
  "migrations",
  "scripts/bundle.mjs",
  "package.json",
  "package-lock.json",
  "node_modules/.package-lock.json"
]

/** The newest modification time under `entry` (0 if it does not exist). */
const newestChange = (entry) => {
  const stat = statSync(entry, { throwIfNoEntry: false })
  if (stat === undefined) return 0
  if (!stat.isDirectory()) return stat.mtimeMs
  return readdirSync(entry).reduce(
    (newest, name) => Math.max(newest, newestChange(path.join(entry, name))),
    stat.mtimeMs
  )
}

const built = statSync(binary, { throwIfNoEntry: false })?.mtimeMs ?? 0
const changed = Math.max(...inputs.map((input) => newestChange(path.join(root, input))))

// Progress goes to stderr: stdout is the server's log stream.
if (built >= changed) {
  console.error("guildhall: the build is current (dist/guildhall.mjs), starting without rebuilding")
} else {
  console.error(
    built === 0
      ? "guildhall: no build yet, bundling dist/guildhall.mjs"
      : "guildhall: sources changed, rebundling dist/guildhall.mjs"
  )
  const bundled = spawnSync(process.execPath, [path.join(root, "scripts", "bundle.mjs")], {
    cwd: root,
    stdio: "inherit"
  })
  if (bundled.status !== 0) process.exit(bundled.status ?? 1)
}

// npm forwards SIGINT and SIGTERM to us; if npm itself is killed outright (SIGKILL), we are orphaned and stop too.
const launchedBy = process.ppid
setInterval(() => {
  if (process.ppid !== launchedBy) process.kill(process.pid, "SIGTERM")
}, 1000).unref()

// `npm start -- --mode self-host` passes its arguments on to `serve`.
process.argv = [process.argv[0], binary, "serve", ...process.argv.slice(2)]
await import(pathToFileURL(binary).href)
