import { Effect, Layer, Option } from "effect"
import { Guild, GuildRepo, TenantNotFound } from "../../core/index.js"
import { guildKey, MemoryStore } from "./MemoryStore.js"

export const GuildRepoMemory = Layer.effect(
  GuildRepo,
  Effect.map(MemoryStore, ({ atomically, tables }) => {
    const ofTenant = (tenantId: string) =>
      Array.from(tables.guilds.values()).filter((guild) => guild.tenantId === tenantId)

    return GuildRepo.of({
      install: (tenantId, guildId, decide) =>
        atomically(
          Effect.gen(function*() {
            const tenant = tables.tenants.get(tenantId)
            if (!tenant) return yield* TenantNotFound.of(tenantId)
            const outcome = yield* decide({
              tenant,
              currentOwner: Option.fromNullable(tables.guildDirectory.get(guildId)),
              existing: Option.fromNullable(tables.guilds.get(guildKey(tenantId, guildId))),
              installedCount: ofTenant(tenantId).filter((guild) => guild.status === "installed").length
            })
            tables.guilds.set(guildKey(tenantId, guildId), outcome.guild)
            tables.guildDirectory.set(guildId, tenantId)
            return outcome
          })
        ),
      remove: (tenantId, guildId, removedAt) =>
        atomically(Effect.sync(() => {
          const guild = tables.guilds.get(guildKey(tenantId, guildId))
          if (!guild) return Option.none()
          if (guild.status === "removed") return Option.some(guild)
          const removed = Guild.make({ ...guild, status: "removed", removedAt })
          tables.guilds.set(guildKey(tenantId, guildId), removed)
          if (tables.guildDirectory.get(guildId) === tenantId) tables.guildDirectory.delete(guildId)
          return Option.some(removed)
        })),
      find: (tenantId, guildId) =>
        Effect.sync(() => Option.fromNullable(tables.guilds.get(guildKey(tenantId, guildId)))),
      findAnyTenant: (guildId) =>
        Effect.sync(() => {
          const owner = tables.guildDirectory.get(guildId)
          if (owner) return Option.fromNullable(tables.guilds.get(guildKey(owner, guildId)))
          const removed = Array.from(tables.guilds.values())
            .filter((guild) => guild.guildId === guildId)
            .sort((a, b) => (b.removedAt?.epochMillis ?? 0) - (a.removedAt?.epochMillis ?? 0))
          return Option.fromNullable(removed[0])
        }),
      listByTenant: (tenantId) =>
        Effect.sync(() => ofTenant(tenantId).sort((a, b) => a.guildId.localeCompare(b.guildId)))
    })
  })
)
