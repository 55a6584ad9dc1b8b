import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import {
  builtinFeatures,
  catalogEntryOf,
  FeatureCatalogEntry,
  FeatureCatalogRepo,
  welcomeFeature
} from "../../core/index.js"
import { at } from "../support/fixtures.js"
import type { Store } from "../support/stores.js"

const entries = builtinFeatures.map(catalogEntryOf)
const keys = (records: ReadonlyArray<{ readonly key: string }>) => records.map((record) => record.key)

/** Each test runs on a fresh store (a catalog is platform-wide, so tests cannot share one). */
export const featureCatalogRepoContract = (store: Store<FeatureCatalogRepo>) => {
  const fresh = (name: string, test: () => Effect.Effect<void, unknown, FeatureCatalogRepo>) =>
    layer(store.layer(), { timeout: 60_000 })(`FeatureCatalogRepo on ${store.name}`, (it) => {
      it.effect(name, test)
    })

  fresh(
    "the first sync adds every feature, and list returns them by key with their commands",
    () =>
      Effect.gen(function*() {
        const catalog = yield* FeatureCatalogRepo
        const result = yield* catalog.sync(entries, at(1_000))
        assert.deepStrictEqual(result, { added: [...keys(entries)].sort(), retired: [] })
        const listed = yield* catalog.list
        assert.deepStrictEqual(keys(listed), [...keys(entries)].sort())
        for (const record of listed) {
          const entry = entries.find((candidate) => candidate.key === record.key)!
          assert.deepStrictEqual(FeatureCatalogEntry.make(record), entry)
          assert.deepStrictEqual(record.syncedAt, at(1_000))
          assert.strictEqual(record.retiredAt, null)
        }
        // Permission bits survive the JSON round trip as decimal strings.
        const paidRoles = listed.find((record) => record.key === "paid-roles")!
        assert.strictEqual(paidRoles.commands[1]!.botPermissions, (1n << 28n).toString())
      })
  )

  fresh("syncing the same registry again changes nothing but the sync time", () =>
    Effect.gen(function*() {
      const catalog = yield* FeatureCatalogRepo
      yield* catalog.sync(entries, at(1_000))
      assert.deepStrictEqual(yield* catalog.sync(entries, at(2_000)), { added: [], retired: [] })
      const listed = yield* catalog.list
      assert.strictEqual(listed.length, entries.length)
      assert.isTrue(listed.every((record) => record.syncedAt.epochMillis === 2_000 && record.retiredAt === null))
    }))

  fresh(
    "a feature gone from the registry is retired, kept in the list, and revived when it returns",
    () =>
      Effect.gen(function*() {
        const catalog = yield* FeatureCatalogRepo
        yield* catalog.sync(entries, at(1_000))
        const withoutWelcome = entries.filter((entry) => entry.key !== "welcome")
        assert.deepStrictEqual(yield* catalog.sync(withoutWelcome, at(2_000)), { added: [], retired: ["welcome"] })
        const retired = (yield* catalog.list).find((record) => record.key === "welcome")!
        assert.deepStrictEqual(retired.retiredAt, at(2_000))
        assert.deepStrictEqual(retired.syncedAt, at(1_000))
        // Still gone: not retired a second time.
        assert.deepStrictEqual(yield* catalog.sync(withoutWelcome, at(3_000)), { added: [], retired: [] })
        assert.deepStrictEqual((yield* catalog.list).find((record) => record.key === "welcome")!.retiredAt, at(2_000))

        assert.deepStrictEqual(yield* catalog.sync(entries, at(4_000)), { added: ["welcome"], retired: [] })
        const revived = (yield* catalog.list).find((record) => record.key === "welcome")!
        assert.strictEqual(revived.retiredAt, null)
        assert.deepStrictEqual(revived.syncedAt, at(4_000))
      })
  )

  fresh("a changed definition replaces the stored one", () =>
    Effect.gen(function*() {
      const catalog = yield* FeatureCatalogRepo
      yield* catalog.sync(entries, at(1_000))
      const changed = FeatureCatalogEntry.make({
        ...catalogEntryOf(welcomeFeature),
        name: "Greetings",
        requires: null,
        configVersion: 2
      })
      yield* catalog.sync([changed], at(2_000))
      const listed = yield* catalog.list
      assert.deepStrictEqual(FeatureCatalogEntry.make(listed.find((record) => record.key === "welcome")!), changed)
      assert.strictEqual(listed.filter((record) => record.retiredAt === null).length, 1)
    }))

  fresh("an empty registry retires everything", () =>
    Effect.gen(function*() {
      const catalog = yield* FeatureCatalogRepo
      yield* catalog.sync(entries, at(1_000))
      assert.deepStrictEqual(yield* catalog.sync([], at(2_000)), { added: [], retired: [...keys(entries)].sort() })
      assert.isTrue((yield* catalog.list).every((record) => record.retiredAt !== null))
    }))

  fresh("concurrent syncs of one registry report each feature added exactly once", () =>
    Effect.gen(function*() {
      const catalog = yield* FeatureCatalogRepo
      const results = yield* Effect.all(
        Array.from({ length: 4 }, (_, i) => catalog.sync(entries, at(1_000 + i))),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(results.flatMap((result) => result.added).sort(), [...keys(entries)].sort())
      assert.strictEqual((yield* catalog.list).length, entries.length)
    }))
}
