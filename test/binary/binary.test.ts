// Boots the bundled binary (dist/guildhall.mjs, built by `pretest`) the way an operator does:
// embedded PGlite, no environment beyond a port and a data directory.
import { PGlite } from "@electric-sql/pglite"
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { freePort } from "../support/freePort.js"

const binary = path.resolve("dist/guildhall.mjs")
const dataDir = mkdtempSync(path.join(tmpdir(), "guildhall-binary-"))

afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

interface Running {
  readonly child: ChildProcess
  readonly url: string
  /** stdout and stderr as they arrived, interleaved. */
  readonly output: () => string
  readonly stdout: () => string
  readonly stderr: () => string
}

/** Starts `guildhall serve` and resolves once it prints that it is serving. */
const boot = async (extraEnv: NodeJS.ProcessEnv = {}): Promise<Running> => {
  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    GUILDHALL_DATA_DIR: dataDir,
    LOG_FORMAT: "json",
    ...extraEnv
  }
  delete env.DATABASE_URL
  const child = spawn(process.execPath, [binary, "serve"], { env, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk) => {
    output += chunk
    stdout += chunk
  })
  child.stderr.on("data", (chunk) => {
    output += chunk
    stderr += chunk
  })
  await new Promise<void>((resolve, reject) => {
    // A server that does not come up is killed: left running, it would hold the data directory's lock.
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`not serving after 90 s:\n${output}`))
    }, 90_000)
    child.on("exit", (code) => reject(new Error(`exited with ${code} during boot:\n${output}`)))
    child.stdout.on("data", () => {
      if (output.includes("is serving on")) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  return { child, url: `http://127.0.0.1:${port}`, output: () => output, stdout: () => stdout, stderr: () => stderr }
}

/** Runs a one-shot `guildhall` command on the same data directory: its exit code and output. */
const command = (...args: ReadonlyArray<string>) =>
  new Promise<{ readonly code: number; readonly output: string; readonly stderr: string }>((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, GUILDHALL_DATA_DIR: dataDir, LOG_FORMAT: "json" }
    delete env.DATABASE_URL
    execFile(
      process.execPath,
      [binary, ...args],
      { env },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : (typeof error.code === "number" ? error.code : 1),
          output: stdout + stderr,
          stderr
        })
    )
  })

/** The API keys (tenants' and operator keys) in the data directory, read with PGlite directly (the server must be stopped). */
const keyCount = async () => {
  const database = await PGlite.create(dataDir)
  try {
    const { rows } = await database.query<{ keys: number }>(
      "SELECT ((SELECT count(*) FROM api_keys) + (SELECT count(*) FROM operator_keys))::int AS keys"
    )
    return rows[0]!.keys
  } finally {
    await database.close()
  }
}

const wellFormedKey = /gh_live_[A-Za-z0-9_-]{43}/

/** SIGTERM, then the exit code (null if it had to be killed). */
const stop = (running: Running) =>
  new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => running.child.kill("SIGKILL"), 15_000)
    running.child.once("exit", (code) => {
      clearTimeout(timer)
      resolve(code)
    })
    running.child.kill("SIGTERM")
  })

// Each test boots the server at least once: slow on a busy machine.
describe.sequential("the guildhall binary", { timeout: 180_000 }, () => {
  let operatorKey = ""
  let tenantId = ""

  it("exists (npm test builds it first)", () => {
    expect(existsSync(binary)).toBe(true)
  })

  it("boots on PGlite, prints a one-time operator key, serves, and stops cleanly on SIGTERM", async () => {
    const running = await boot()
    try {
      operatorKey = running.stderr().match(/Operator API key[^:]*: (gh_live_[A-Za-z0-9_-]{43})/)?.[1] ?? ""
      expect(operatorKey).not.toBe("")
      // One plain line on stderr, the terminal's; stdout is the log stream and never carries it.
      expect(running.stderr().split(operatorKey).length - 1).toBe(1)
      expect(running.stdout()).not.toContain(operatorKey)
      expect(running.output()).toMatch(/API docs: http:\/\/localhost:\d+\/docs/)

      const ready = await fetch(`${running.url}/health/ready`)
      expect(ready.status).toBe(200)
      // Each background component of the runner is reported (ADR 095).
      const { components } = (await ready.json()) as { components: ReadonlyArray<{ name: string; status: string }> }
      expect(components.map((component) => component.name)).toEqual(
        expect.arrayContaining(["database", "job worker", "policy listener", "job wake-up listener"])
      )

      const created = await fetch(`${running.url}/tenants`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${operatorKey}`,
          "content-type": "application/json",
          "x-request-id": "binary-1"
        },
        body: JSON.stringify({ name: "Binary Co" })
      })
      expect(created.status).toBe(201)
      tenantId = ((await created.json()) as { id: string }).id

      // Structured logs: the request's lines carry its request id; the key itself is never logged.
      const logLines = running.output().split("\n").filter((line) => line.startsWith("{"))
      expect(logLines.some((line) => JSON.parse(line).annotations?.requestId === "binary-1")).toBe(true)
      expect(logLines.some((line) => line.includes(operatorKey))).toBe(false)
    } finally {
      expect(await stop(running)).toBe(0)
    }
  })

  it("boots again on the same data: no new key, the tenant is still there", async () => {
    const running = await boot()
    try {
      expect(running.output()).not.toContain("Operator API key")
      const found = await fetch(`${running.url}/tenants/${tenantId}`, {
        headers: { authorization: `Bearer ${operatorKey}` }
      })
      expect(found.status).toBe(200)
      expect(await found.json()).toMatchObject({ id: tenantId, name: "Binary Co" })
    } finally {
      expect(await stop(running)).toBe(0)
    }
  })

  it("exports the tenant to a file and imports it back; a damaged file is refused with the reason and a failing exit code", async () => {
    const archive = path.join(dataDir, "tenant.tar.gz")
    const exported = await command("export", "--tenant", tenantId, "--out", archive)
    expect(exported.output).toContain(`Exported tenant ${tenantId}`)
    expect(exported.code).toBe(0)
    expect(statSync(archive).size).toBeGreaterThan(0)

    const imported = await command("import", archive)
    expect(imported.output).toContain(`Imported tenant ${tenantId}`)
    expect(imported.code).toBe(0)

    const damaged = path.join(dataDir, "damaged.tar.gz")
    writeFileSync(damaged, "not an archive")
    const refused = await command("import", damaged)
    expect(refused.code).not.toBe(0)
    expect(refused.output).toContain("not gzip-compressed")
  })

  it("refuses one-shot commands while serve runs on the same data directory: non-zero exit, the reason, nothing written", async () => {
    const keysBefore = await keyCount()
    const running = await boot()
    try {
      const keys = await command("keys", "create")
      expect(keys.code).not.toBe(0)
      expect(keys.stderr).toContain(`is open in another process (pid ${running.child.pid})`)
      expect(keys.stderr).toContain("the server is running on this directory")
      expect(keys.stderr).toContain("GUILDHALL_BOOTSTRAP_KEY_FILE")
      expect(keys.output).not.toMatch(wellFormedKey)
      expect(keys.output).not.toContain("shown once")
      // Told once, in plain words: no log record with a stack trace besides.
      expect(keys.output).not.toContain("DataDirectoryLocked")
      expect(keys.stderr.match(/is open in another process/g)).toHaveLength(1)

      const tenants = await command("tenants", "create", "--name", "Lost Co")
      expect(tenants.code).not.toBe(0)
      expect(tenants.stderr).toContain("the server is running on this directory")

      // The server is unharmed: it still answers with its key.
      const found = await fetch(`${running.url}/tenants/${tenantId}`, {
        headers: { authorization: `Bearer ${operatorKey}` }
      })
      expect(found.status).toBe(200)
    } finally {
      expect(await stop(running)).toBe(0)
    }
    expect(await keyCount()).toBe(keysBefore)
    // The lock went with the server: a command runs again.
    const keys = await command("keys", "create", "--name", "after the server")
    expect(keys.code).toBe(0)
    expect(await keyCount()).toBe(keysBefore + 1)
  })

  it("issues an operator key while serve runs: an empty GUILDHALL_BOOTSTRAP_KEY_FILE gets the key, once", async () => {
    const keyFile = path.join(dataDir, "operator-key-request")
    const running = await boot({ GUILDHALL_BOOTSTRAP_KEY_FILE: keyFile })
    try {
      writeFileSync(keyFile, "")
      const deadline = Date.now() + 15_000
      while (readFileSync(keyFile, "utf8") === "" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      const issued = readFileSync(keyFile, "utf8").trim()
      expect(issued).toMatch(new RegExp(`^${wellFormedKey.source}$`))
      expect(statSync(keyFile).mode & 0o777).toBe(0o600)

      const listed = await fetch(`${running.url}/tenants/${tenantId}`, {
        headers: { authorization: `Bearer ${issued}` }
      })
      expect(listed.status).toBe(200)

      // A file that holds a key is left alone: one request, one key.
      await new Promise((resolve) => setTimeout(resolve, 2_500))
      expect(readFileSync(keyFile, "utf8").trim()).toBe(issued)
      expect(running.output()).not.toContain(issued)
      expect(running.output()).toContain(`issued an operator API key into ${keyFile}`)
    } finally {
      expect(await stop(running)).toBe(0)
    }
  })
})
