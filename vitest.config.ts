import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: {
    // Import the package's own entry points (`guildhall/core`, ...) from source, as an embedder would by name.
    conditions: ["source"]
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks"
  }
})
