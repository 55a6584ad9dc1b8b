import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const root = fileURLToPath(new URL(".", import.meta.url))
const pkg = JSON.parse(readFileSync(new URL("package.json", import.meta.url), "utf8")) as {
  name: string
  exports: Record<string, string | { source?: string }>
}

// Node lets a package import itself by name through its `exports`; Vite does not. Map each entry
// point to the file its `source` condition names, so tests import `guildhall/core` as an embedder would.
const selfReference = Object.entries(pkg.exports).flatMap(([subpath, target]) =>
  typeof target === "object" && target.source
    ? [{ find: `${pkg.name}${subpath.slice(1)}`, replacement: `${root}${target.source.slice(2)}` }]
    : []
)

export default defineConfig({
  resolve: {
    alias: selfReference
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks"
  }
})
