/**
 * Writes docs/API/openapi.json from the HTTP adapter's Api definition.
 * `--check` writes nothing and exits 1 when the checked-in document is stale (for CI).
 *
 *   npx tsx scripts/openapi.ts [--check]
 */
import { OpenApi } from "@effect/platform"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { Api } from "../adapters/http/index.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const target = join(root, "docs", "API", "openapi.json")
const shown = relative(process.cwd(), target)

/** Pretty, with a trailing newline, so diffs stay readable and editors leave the file alone. */
const renderOpenApi = (): string => `${JSON.stringify(OpenApi.fromApi(Api), null, 2)}\n`

const rendered = renderOpenApi()

if (process.argv.includes("--check")) {
  const current = existsSync(target) ? readFileSync(target, "utf8") : undefined
  if (current !== rendered) {
    console.error(
      current === undefined
        ? `${shown} is missing. Run \`npx tsx scripts/openapi.ts\` and commit it.`
        : `${shown} is out of date with the Api definition. Run \`npx tsx scripts/openapi.ts\` and commit the result.`
    )
    process.exit(1)
  }
  console.log(`${shown} is up to date.`)
} else {
  writeFileSync(target, rendered)
  console.log(`Wrote ${shown}.`)
}
