import { Effect, Layer, Option } from "effect"
import { Guild, GuildRepo, TenantNotFound } from "../../core/index.js"
import { guildKey, MemoryStore } from "./MemoryStore.js"
import { bumpGuild, writePolicy, type Written } from "./policyVersions.js"

export const GuildRepoMemory = Layer.effect(
  GuildRepo,
  Effect.map(MemoryStore, (store) => {
    const { tables } = store
    const ofTenant = (tenantId: string) =>
      Array.from(tables.guilds.values()).filter((guild) => guild.tenantId === tenantId)

    return GuildRepo.of({
      // Installing, updating (owner, mod and admin roles) and removing a guild change its policy.
      install: (tenantId, guildId, decide) =>
        writePolicy(
          store,
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
            bumpGuild(tables, tenantId, guildId)
            return [outcome, [guildId]] as const
          })
        ),
      remove: (tenantId, guildId, removedAt) =>
        writePolicy(
          store,
          Effect.sync((): Written<Option.Option<Guild>> => {
            const guild = tables.guilds.get(guildKey(tenantId, guildId))
            if (!guild) return [Option.none(), []] as const
            if (guild.status === "removed") return [Option.some(guild), []] as const
            const removed = Guild.make({ ...guild, status: "removed", removedAt })
            tables.guilds.set(guildKey(tenantId, guildId), removed)
            if (tables.guildDirectory.get(guildId) === tenantId) tables.guildDirectory.delete(guildId)
            bumpGuild(tables, tenantId, guildId)
            return [Option.some(removed), [guildId]] as const
          })
        ),
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
