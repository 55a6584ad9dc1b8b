import { Duration, Effect, Exit, Fiber, Layer, Option, Stream } from "effect"
import { randomUUID } from "node:crypto"
import { RepositoriesMemory } from "../../adapters/memory/index.js"
import { PolicyStoreSql, RepositoriesSql } from "../../adapters/postgres/index.js"
import {
  AddOnKey,
  type EntitlementRepo,
  type GuildFeatureRepo,
  type GuildId,
  type GuildRepo,
  HeldAddOn,
  type KillSwitchRepo,
  Override,
  OverrideId,
  type PolicyChange,
  PolicyStore,
  Rule,
  RuleId,
  type RuleRepo,
  type TenantId,
  TenantRepo
} from "../../core/index.js"
import { at, install, makeTenant, newGuildId } from "./fixtures.js"
import { sqlDatabases, type Store } from "./stores.js"

export type PolicyPorts =
  | TenantRepo
  | GuildRepo
  | GuildFeatureRepo
  | RuleRepo
  | EntitlementRepo
  | KillSwitchRepo
  | PolicyStore

/** Every implementation of the guild policy ports: memory, and SQL (with PolicyStoreSql) on each database. */
export const policyStores = async (): Promise<ReadonlyArray<Store<PolicyPorts>>> => [
  { name: "memory", layer: () => RepositoriesMemory },
  ...(await sqlDatabases()).map((database) => ({
    name: database.name,
    layer: () => Layer.mergeAll(RepositoriesSql, Layer.orDie(PolicyStoreSql)).pipe(Layer.provide(database.layer()))
  }))
]

/** A new tenant (enterprise: no guild limit) with `guilds` installed guilds. */
export const tenantWithGuilds = (guilds = 1) =>
  Effect.gen(function*() {
    const tenant = makeTenant({ planKey: "enterprise" })
    yield* (yield* TenantRepo).insert(tenant)
    const guildIds: Array<GuildId> = []
    for (let i = 0; i < guilds; i++) {
      const guildId = newGuildId()
      yield* install({ tenantId: tenant.id, guildId })
      guildIds.push(guildId)
    }
    return { tenantId: tenant.id, guildIds: guildIds as [GuildId, ...Array<GuildId>] }
  })

export const makeRule = (tenantId: TenantId, guildId: GuildId, fields: Partial<Rule> = {}) =>
  Rule.make({
    id: RuleId.make(randomUUID()),
    scope: "tenant",
    tenantId,
    guildId,
    target: "*",
    subject: "role",
    subjectId: "400000000000000001",
    effect: "deny",
    ...fields
  })

export const makeOverride = (fields: Pick<Override, "tenantId" | "guildId"> & Partial<Override>) =>
  Override.make({
    id: OverrideId.make(randomUUID()),
    planKey: null,
    features: ["ai"],
    limits: { commandsPerMinute: 500 },
    reason: "support ticket 42",
    expiresAt: null,
    createdAt: at(1_000),
    ...fields
  })

export const makeHeld = (tenantId: Override["tenantId"], key = "extra-guilds", quantity = 1) =>
  HeldAddOn.make({ tenantId, addOnKey: AddOnKey.make(key), quantity, expiresAt: null })

export const versionOf = (guildId: GuildId) =>
  Effect.flatMap(PolicyStore, (store) => store.load(guildId)).pipe(
    Effect.map(Option.match({ onNone: () => -1, onSome: (source) => source.version }))
  )

/** Time for a subscription to start, and for a NOTIFY to arrive from the database. */
const subscribeWithin = Duration.millis(50)
const straggleWithin = Duration.millis(300)

/**
 * Runs `effect` while recording what PolicyStore.changes announces, until
 * `expected` changes have all been heard (or 2 s passed), or for a short while
 * when nothing is expected. Needs a live clock (a `layer` with `excludeTestServices`). The server's
 * channel is shared by every test schema, so callers look only at their own guilds.
 */
export const announcedDuring = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  expected: ReadonlyArray<PolicyChange> = []
) =>
  Effect.gen(function*() {
    const store = yield* PolicyStore
    const heard: Array<PolicyChange> = []
    const listening = yield* store.changes.pipe(
      Stream.runForEach((change) => Effect.sync(() => heard.push(change))),
      Effect.fork
    )
    yield* Effect.sleep(subscribeWithin)
    const exit = yield* Effect.exit(effect)
    if (expected.length === 0) yield* Effect.sleep(straggleWithin)
    else {
      yield* Effect.sleep(Duration.millis(10)).pipe(
        Effect.repeat({ until: () => expected.every((change) => heard.includes(change)) }),
        Effect.timeout(Duration.seconds(2)),
        Effect.ignore
      )
    }
    yield* Fiber.interrupt(listening)
    return { exit, heard }
  })

/** The value of a successful exit, or a thrown failure (so a test fails with the cause). */
export const valueOf = <A, E>(exit: Exit.Exit<A, E>): A =>
  Exit.getOrElse(exit, (cause) => {
    throw new Error(`expected success, got ${String(cause)}`)
  })
