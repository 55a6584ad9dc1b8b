// Bundles the CLI into one file, dist/guildhall.mjs, that runs with plain
// `node` and no node_modules. PGlite normally loads its WebAssembly and data
// files from next to its own module; here they are embedded in the bundle
// and handed to PGlite at startup (programs/EmbeddedAssets.ts).
import { build } from "esbuild"
import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import path from "node:path"

const require = createRequire(import.meta.url)
const pgliteDist = path.dirname(require.resolve("@electric-sql/pglite"))

const embedPgliteAssets = {
  name: "embed-pglite-assets",
  setup(build) {
    build.onLoad({ filter: /programs[\\/]EmbeddedAssets\.ts$/ }, async () => {
      const base64 = async (file) => (await readFile(path.join(pgliteDist, file))).toString("base64")
      const [wasm, initdb, data] = await Promise.all([
        base64("pglite.wasm"),
        base64("initdb.wasm"),
        base64("pglite.data")
      ])
      return {
        loader: "js",
        contents: `
const bytes = (b64) => Buffer.from(b64, "base64")
export const embeddedPgliteAssets = async () => ({
  pgliteWasmModule: await WebAssembly.compile(bytes(${JSON.stringify(wasm)})),
  initdbWasmModule: await WebAssembly.compile(bytes(${JSON.stringify(initdb)})),
  fsBundle: new Blob([bytes(${JSON.stringify(data)})])
})`
      }
    })
  }
}

await build({
  entryPoints: ["programs/main.ts"],
  outfile: "dist/guildhall.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  conditions: ["source"],
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
  // pg's optional native binding is never used.
  external: ["pg-native"],
  banner: {
    js: [
      "#!/usr/bin/env node",
      // Some CommonJS dependencies call require(); give the ESM bundle one.
      "import { createRequire as __guildhallCreateRequire } from 'node:module';",
      "const require = __guildhallCreateRequire(import.meta.url);"
    ].join("\n")
  },
  plugins: [embedPgliteAssets]
})
console.log("built dist/guildhall.mjs")
