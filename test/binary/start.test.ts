// `npm start`, the command the README gives, run in place the way an operator runs it: it bundles only when the
// build is stale, and SIGTERM to npm stops the server (no node process left serving).
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { lockFileName } from "../../adapters/postgres/index.js"
import { freePort } from "../support/freePort.js"

const root = path.resolve(".")
const binary = path.join(root, "dist/guildhall.mjs")
const dataDir = mkdtempSync(path.join(tmpdir(), "guildhall-start-"))
const leftovers: Array<number> = []

afterAll(() => {
  // A server this test failed to stop must not outlive it.
  for (const pid of leftovers) if (isRunning(pid)) process.kill(pid, "SIGKILL")
  rmSync(dataDir, { recursive: true, force: true })
})

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1")
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })

const waitUntil = async (condition: () => boolean | Promise<boolean>, ms: number) => {
  const deadline = Date.now() + ms
  while (!(await condition()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
  return condition()
}

/** `npm start` until it serves; then SIGTERM to npm. What it printed, and whether the server is gone. */
const startThenStop = async () => {
  const port = await freePort()
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), GUILDHALL_DATA_DIR: dataDir, LOG_FORMAT: "json" }
  delete env.DATABASE_URL
  const npm = spawn("npm", ["start"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  npm.stdout.on("data", (chunk) => (stdout += chunk))
  npm.stderr.on("data", (chunk) => (stderr += chunk))
  const npmExit = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)))

  const serving = await waitUntil(() => stdout.includes("is serving on"), 150_000)
  if (!serving) {
    // Stopped through npm as well, so a slow start does not leave a server holding the directory.
    npm.kill("SIGTERM")
    await npmExit
  }
  expect(serving, `not serving after 150 s:\n${stdout}\n${stderr}`).toBe(true)
  // The process that holds the database is the server.
  const server = Number(readFileSync(path.join(dataDir, lockFileName), "utf8").trim())
  leftovers.push(server)
  expect(await portOpen(port)).toBe(true)

  npm.kill("SIGTERM")
  await npmExit
  const serverGone = await waitUntil(() => !isRunning(server), 15_000)
  const portClosed = await waitUntil(async () => !(await portOpen(port)), 5_000)
  return { stdout, stderr, serverGone, portClosed }
}

describe.sequential("npm start", () => {
  it("serves; SIGTERM to npm stops the server: its port closes and no server process remains", async () => {
    const run = await startThenStop()
    expect(run.serverGone).toBe(true)
    expect(run.portClosed).toBe(true)
    expect(run.stdout).toContain("stopped: requests drained, database closed")
  }, 240_000)

  it("does not rebuild when the build is current", async () => {
    // The run above left a current build (it bundled if anything had changed).
    const builtAt = statSync(binary).mtimeMs
    const run = await startThenStop()
    expect(run.stderr).toContain("the build is current")
    expect(statSync(binary).mtimeMs).toBe(builtAt)
    expect(run.serverGone).toBe(true)
  }, 240_000)
})
