import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import {
  ApplicationId,
  CommandSyncRepo,
  CommandSyncState,
  type GuildId,
  type GuildRepo,
  type TenantId,
  type TenantRepo
} from "../../core/index.js"
import { at } from "../support/fixtures.js"
import { tenantWithGuilds } from "../support/policy.js"
import type { Store } from "../support/stores.js"

export type CommandSyncPorts = TenantRepo | GuildRepo | CommandSyncRepo

let applications = 0
/** An application id of its own per test: listByApplication spans tenants, and tests share a store. */
export const newApplicationId = () =>
  ApplicationId.make(
    `7${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}${String(++applications).padStart(9, "0")}`
  )

export const makeSyncState = (
  fields:
    & { readonly tenantId: TenantId; readonly guildId: GuildId; readonly applicationId: ApplicationId }
    & Partial<CommandSyncState>
) =>
  CommandSyncState.make({
    hash: "a".repeat(64),
    syncedAt: at(1_000),
    blockedUntil: null,
    lastError: null,
    ...fields
  })

export const commandSyncRepoContract = (store: Store<CommandSyncPorts>) =>
  layer(store.layer(), { timeout: 60_000 })(`CommandSyncRepo on ${store.name}`, (it) => {
    it.effect("saves, replaces and gets a guild's state per application", () =>
      Effect.gen(function*() {
        const repo = yield* CommandSyncRepo
        const { guildIds: [guildId], tenantId } = yield* tenantWithGuilds()
        const applicationId = newApplicationId()
        const otherApplication = newApplicationId()
        assert.deepStrictEqual(yield* repo.get(tenantId, guildId, applicationId), Option.none())

        const synced = makeSyncState({ tenantId, guildId, applicationId })
        yield* repo.save(synced)
        assert.deepStrictEqual(yield* repo.get(tenantId, guildId, applicationId), Option.some(synced))
        assert.deepStrictEqual(yield* repo.get(tenantId, guildId, otherApplication), Option.none())

        const blocked = CommandSyncState.make({
          ...synced,
          blockedUntil: at(86_400_000),
          lastError: {
            reason: "daily_limit",
            message: "Discord's daily limit of 200 new commands for this server is used up",
            remediation: "Wait for the reset",
            at: at(2_000)
          }
        })
        yield* repo.save(blocked)
        assert.deepStrictEqual(yield* repo.get(tenantId, guildId, applicationId), Option.some(blocked))

        const neverAccepted = makeSyncState({
          tenantId,
          guildId,
          applicationId: otherApplication,
          hash: null,
          syncedAt: null
        })
        yield* repo.save(neverAccepted)
        assert.deepStrictEqual(yield* repo.get(tenantId, guildId, otherApplication), Option.some(neverAccepted))
        assert.deepStrictEqual(yield* repo.get(tenantId, guildId, applicationId), Option.some(blocked))
      }))

    it.effect("lists one application's states across tenants, by tenant then guild", () =>
      Effect.gen(function*() {
        const repo = yield* CommandSyncRepo
        const first = yield* tenantWithGuilds(2)
        const second = yield* tenantWithGuilds()
        const applicationId = newApplicationId()
        const states = [
          makeSyncState({ tenantId: second.tenantId, guildId: second.guildIds[0], applicationId }),
          makeSyncState({ tenantId: first.tenantId, guildId: first.guildIds[1]!, applicationId }),
          makeSyncState({ tenantId: first.tenantId, guildId: first.guildIds[0], applicationId })
        ]
        for (const state of states) yield* repo.save(state)
        yield* repo.save(
          makeSyncState({ tenantId: first.tenantId, guildId: first.guildIds[0], applicationId: newApplicationId() })
        )

        const listed = yield* repo.listByApplication(applicationId)
        const expected = [...states].sort((a, b) =>
          a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : a.guildId < b.guildId ? -1 : 1
        )
        assert.deepStrictEqual(listed, expected)
        assert.deepStrictEqual(yield* repo.listByApplication(newApplicationId()), [])
      }))

    it.effect("a tenant does not see another tenant's state", () =>
      Effect.gen(function*() {
        const repo = yield* CommandSyncRepo
        const owner = yield* tenantWithGuilds()
        const intruder = yield* tenantWithGuilds()
        const applicationId = newApplicationId()
        const state = makeSyncState({ tenantId: owner.tenantId, guildId: owner.guildIds[0], applicationId })
        yield* repo.save(state)
        assert.deepStrictEqual(yield* repo.get(intruder.tenantId, owner.guildIds[0], applicationId), Option.none())
        assert.deepStrictEqual(yield* repo.get(owner.tenantId, owner.guildIds[0], applicationId), Option.some(state))
      }))
  })
