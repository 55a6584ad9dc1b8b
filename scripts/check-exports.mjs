// Imports every entry point of package.json `exports` by package name from the
// compiled library (dist/lib), as an embedding backend's Node would.
import { readFile } from "node:fs/promises"

const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"))
const entries = Object.keys(pkg.exports).filter((subpath) => subpath !== "./package.json")
for (const subpath of entries) {
  const specifier = `${pkg.name}${subpath.slice(1)}`
  const module = await import(specifier)
  if (Object.keys(module).length === 0) throw new Error(`${specifier} exports nothing`)
  console.log(`${specifier}: ${Object.keys(module).length} exports`)
}
