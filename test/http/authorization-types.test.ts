import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type AuthorizedGuild, type AuthorizedTenant, forGuild, forTenant } from "../../adapters/http/Policy.js"
import { GuildId, TenantId } from "../../core/index.js"

// These checks are made by the type checker (`npm run typecheck` covers test/): each `@ts-expect-error`
// fails the build the day the line under it compiles, i.e. the day a handler could skip authorization.

const tenantId = TenantId.make("0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b")
const guildId = GuildId.make("123456789012345678")

/** Stands for a call that reaches a tenant's data: it takes the authorized value, not an id. */
const readGuildData = (guild: AuthorizedGuild) => Effect.succeed(guild.guildId)

describe("authorization is typed", () => {
  it("an authorized value cannot be made outside the policy module", () => {
    // @ts-expect-error the brand is a symbol only adapters/http/Policy.ts can name
    const tenant: AuthorizedTenant = { tenantId }
    // @ts-expect-error likewise for a guild
    const guild: AuthorizedGuild = { tenantId, guildId, asset: undefined as never }
    // @ts-expect-error a raw guild id does not reach the guild's data
    const call = () => readGuildData(guildId)
    assert.isDefined([tenant, guild, call])
  })

  it("a guild or tenant handler gets the authorized value and no raw id to bypass it with", () => {
    const guildHandler = forGuild((guild, request) => {
      // @ts-expect-error the path's guild id is taken out of the request the handler sees
      const raw: GuildId = request.path.guildId
      return Effect.as(readGuildData(guild), raw)
    })
    const tenantHandler = forTenant((tenant, request) => {
      // @ts-expect-error the path's tenant id is taken out too
      const raw: TenantId = request.path.id
      return Effect.succeed([tenant.tenantId, raw])
    })
    assert.isFunction(guildHandler)
    assert.isFunction(tenantHandler)
  })
})
