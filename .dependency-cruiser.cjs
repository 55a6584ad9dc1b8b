/** The hexagon's arrows, checked in CI: programs -> adapters -> core, never back. */
module.exports = {
  forbidden: [
    {
      name: "core-is-pure",
      comment: "core/ imports only `effect` and core/: no I/O, no outside system, no adapter.",
      severity: "error",
      from: { path: "^core/" },
      to: { pathNot: ["^core/", "^node_modules/effect/"] }
    },
    {
      name: "adapters-never-import-programs",
      severity: "error",
      from: { path: "^adapters/" },
      to: { path: "^programs/" }
    },
    {
      name: "no-adapter-internals",
      comment: "An adapter may use another adapter only through its public index.ts.",
      severity: "error",
      from: { path: "^adapters/([^/]+)/" },
      to: { path: "^adapters/[^/]+/", pathNot: ["^adapters/$1/", "^adapters/[^/]+/index\\.ts$"] }
    },
    {
      name: "migrations-only-sql",
      comment: "Migrations depend on the SQL client only, so they stay replayable forever.",
      severity: "error",
      from: { path: "^migrations/" },
      to: { pathNot: ["^migrations/", "^node_modules/(effect|@effect/sql)/"] }
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true }
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true }
    }
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["source", "import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json"]
    }
  }
}
