import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import {
  type GuildRepo,
  RoleId,
  SetupProgress,
  SetupProgressRepo,
  SetupWizard,
  type TenantRepo
} from "../../core/index.js"
import { at } from "../support/fixtures.js"
import { tenantWithGuilds } from "../support/policy.js"
import type { Store } from "../support/stores.js"

export type SetupProgressPorts = TenantRepo | GuildRepo | SetupProgressRepo

export const setupProgressRepoContract = (store: Store<SetupProgressPorts>) =>
  layer(store.layer(), { timeout: 60_000 })(`SetupProgressRepo on ${store.name}`, (it) => {
    it.effect("saves, replaces and reads back each guild's progress", () =>
      Effect.gen(function*() {
        const repo = yield* SetupProgressRepo
        const { guildIds: [guildId, second], tenantId } = yield* tenantWithGuilds(2)
        const otherGuildId = second!
        assert.deepStrictEqual(yield* repo.get(tenantId, guildId), Option.none())

        const started = SetupWizard.chooseFeatures(
          SetupWizard.initial(tenantId, guildId, at(1_000)),
          ["welcome", "xp"],
          at(2_000)
        )
        yield* repo.save(started)
        assert.deepStrictEqual(yield* repo.get(tenantId, guildId), Option.some(started))
        assert.deepStrictEqual(yield* repo.get(tenantId, otherGuildId), Option.none())

        const vip = RoleId.make("400000000000000002")
        const finished = SetupWizard.complete(
          SetupWizard.offerProviders(
            SetupWizard.rolesDone(SetupWizard.addRole(started, { roleId: vip, days: 30 }, at(3_000)), at(3_000)),
            ["polar", "sepay"],
            at(4_000)
          ),
          at(5_000)
        )
        yield* repo.save(finished)
        const read = Option.getOrThrow(yield* repo.get(tenantId, guildId))
        assert.deepStrictEqual(read, finished)
        assert.strictEqual(read.step, "done")
        assert.deepStrictEqual(read.roles, [{ roleId: vip, days: 30 }])
        assert.deepStrictEqual(read.completedAt, at(5_000))

        const other = SetupProgress.make({ ...SetupWizard.initial(tenantId, otherGuildId, at(6_000)) })
        yield* repo.save(other)
        assert.deepStrictEqual(yield* repo.get(tenantId, otherGuildId), Option.some(other))
        assert.deepStrictEqual(yield* repo.get(tenantId, guildId), Option.some(finished))
      }))

    it.effect("another tenant does not see a guild's progress", () =>
      Effect.gen(function*() {
        const repo = yield* SetupProgressRepo
        const mine = yield* tenantWithGuilds(1)
        const theirs = yield* tenantWithGuilds(1)
        const progress = SetupWizard.initial(mine.tenantId, mine.guildIds[0], at(1_000))
        yield* repo.save(progress)
        assert.deepStrictEqual(yield* repo.get(theirs.tenantId, mine.guildIds[0]), Option.none())
        assert.deepStrictEqual(yield* repo.get(mine.tenantId, mine.guildIds[0]), Option.some(progress))
      }))
  })
