import { CliConfig, Options } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { serveMode, tenantMode } from "../../programs/cli.js"
import { RunMode } from "../../programs/Settings.js"

const parsed = <A>(options: Options.Options<A>, args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Options.processCommandLine(options, args, CliConfig.defaultConfig).pipe(
    Effect.map(([, , value]) => value),
    Effect.provide(NodeContext.layer),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
  )

describe("self_host and self-host mean the same mode wherever a mode is read", () => {
  it.effect("GUILDHALL_MODE", () =>
    Effect.gen(function*() {
      const read = (value: string | undefined) =>
        Effect.withConfigProvider(
          RunMode,
          ConfigProvider.fromMap(new Map(value === undefined ? [] : [["GUILDHALL_MODE", value]]))
        )
      assert.strictEqual(yield* read("self_host"), "self-host")
      assert.strictEqual(yield* read("self-host"), "self-host")
      assert.strictEqual(yield* read("hosted"), "hosted")
      assert.strictEqual(yield* read(undefined), "hosted")
      assert.isTrue((yield* Effect.either(read("selfhost")))._tag === "Left")
    }))

  it.effect("guildhall serve --mode, and GUILDHALL_MODE when the flag is absent", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* parsed(serveMode, ["--mode", "self_host"]), "self-host")
      assert.strictEqual(yield* parsed(serveMode, ["--mode", "self-host"]), "self-host")
      assert.strictEqual(yield* parsed(serveMode, ["--mode", "hosted"], { GUILDHALL_MODE: "self_host" }), "hosted")
      assert.strictEqual(yield* parsed(serveMode, [], { GUILDHALL_MODE: "self_host" }), "self-host")
    }))

  it.effect("guildhall tenants create --mode", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* parsed(tenantMode, ["--mode", "self_host"]), "self_host")
      assert.strictEqual(yield* parsed(tenantMode, ["--mode", "self-host"]), "self_host")
      assert.strictEqual(yield* parsed(tenantMode, []), "hosted")
    }))
})
