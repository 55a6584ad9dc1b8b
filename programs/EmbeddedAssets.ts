import type { PGliteOptions } from "@electric-sql/pglite"

/**
 * PGlite's WebAssembly and data files. From source PGlite finds them next to
 * its own module, so there is nothing to add; scripts/bundle.mjs replaces this
 * module with one that embeds them, so the bundle is a single file.
 */
export const embeddedPgliteAssets = (): Promise<Partial<PGliteOptions>> => Promise.resolve({})
