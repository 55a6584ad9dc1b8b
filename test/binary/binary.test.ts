// Boots the bundled binary (dist/guildhall.mjs, built by `pretest`) the way an operator does:
// embedded PGlite, no environment beyond a port and a data directory.
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
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
  readonly output: () => string
}

/** Starts `guildhall serve` and resolves once it prints that it is serving. */
const boot = async (): Promise<Running> => {
  const port = await freePort()
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), GUILDHALL_DATA_DIR: dataDir, LOG_FORMAT: "json" }
  delete env.DATABASE_URL
  const child = spawn(process.execPath, [binary, "serve"], { env, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  child.stdout.on("data", (chunk) => (output += chunk))
  child.stderr.on("data", (chunk) => (output += chunk))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not serving after 30 s:\n${output}`)), 30_000)
    child.on("exit", (code) => reject(new Error(`exited with ${code} during boot:\n${output}`)))
    child.stdout.on("data", () => {
      if (output.includes("is serving on")) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  return { child, url: `http://127.0.0.1:${port}`, output: () => output }
}

/** Runs a one-shot `guildhall` command on the same data directory: its exit code and output. */
const command = (...args: ReadonlyArray<string>) =>
  new Promise<{ readonly code: number; readonly output: string }>((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, GUILDHALL_DATA_DIR: dataDir, LOG_FORMAT: "json" }
    delete env.DATABASE_URL
    execFile(
      process.execPath,
      [binary, ...args],
      { env },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : (typeof error.code === "number" ? error.code : 1),
          output: stdout + stderr
        })
    )
  })

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

describe.sequential("the guildhall binary", () => {
  let operatorKey = ""
  let tenantId = ""

  it("exists (npm test builds it first)", () => {
    expect(existsSync(binary)).toBe(true)
  })

  it("boots on PGlite, prints a one-time operator key, serves, and stops cleanly on SIGTERM", async () => {
    const running = await boot()
    try {
      operatorKey = running.output().match(/Operator API key[^:]*: (gh_live_[A-Za-z0-9_-]{43})/)?.[1] ?? ""
      expect(operatorKey).not.toBe("")
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
})
