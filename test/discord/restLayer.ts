import { Context, Effect, Layer, Redacted } from "effect"
import { DiscordRolesRest } from "../../adapters/discord/index.js"
import { type DiscordRoles, RoleId, UserId } from "../../core/index.js"
import { FakeDiscordRest } from "../support/fakes/FakeDiscordRest.js"
import { newGuildId } from "../support/fixtures.js"

/** The fake Discord API the REST adapter under test talks to. */
export class FakeDiscord extends Context.Tag("test/FakeDiscord")<FakeDiscord, FakeDiscordRest>() {}

export const botToken = "fake-bot-token.abc.def"

/** DiscordRolesRest pointed at a fresh fake (DISCORD_API_BASE), and the fake. */
export const discordRolesOverFake = (): Layer.Layer<DiscordRoles | FakeDiscord> => {
  const fake = Layer.scoped(FakeDiscord, FakeDiscordRest.make({ token: botToken }))
  const roles = Layer.unwrapEffect(
    Effect.map(FakeDiscord, (discord) => DiscordRolesRest({ token: Redacted.make(botToken), apiBase: discord.apiBase }))
  )
  return roles.pipe(Layer.provideMerge(fake))
}

let users = 0
export const newUserId = () => UserId.make(`6${String(++users).padStart(17, "0")}`)
export const paid = RoleId.make("700000000000000001")
export const other = RoleId.make("700000000000000002")

/** A fresh guild on the fake (its own rate-limit bucket) with a member holding no role. */
export const fakeGuild = Effect.gen(function*() {
  const discord = yield* FakeDiscord
  const guildId = newGuildId()
  const memberId = newUserId()
  discord.addGuild(guildId, [paid, other])
  discord.addMember(guildId, memberId)
  return { guildId, memberId, nonMemberId: newUserId(), roles: [paid, other] as const }
})
