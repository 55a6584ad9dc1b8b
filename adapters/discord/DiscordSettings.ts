import { Config, Option, Redacted } from "effect"

/** How Guildhall reaches Discord's REST API; every field is optional (Discord is then offline). */
export interface DiscordSettings {
  /** DISCORD_TOKEN: the bot's token. None: every role change fails as unavailable and waits in the job outbox. */
  readonly token: Option.Option<Redacted.Redacted<string>>
  /** DISCORD_API_BASE: another API base without the version (a local fake in tests); None: https://discord.com/api. */
  readonly apiBase: Option.Option<string>
  /** DISCORD_APPLICATION_ID: the application invite links add. None: POST /discord/invite says to set it. */
  readonly applicationId: Option.Option<string>
  /**
   * GUILDHALL_INVITE_SECRET: the key invite links' state is signed with. None: one generated at first boot
   * and kept in the database, shared by every replica (ADR 070).
   */
  readonly inviteSecret: Option.Option<Redacted.Redacted<string>>
}

// An empty variable (`DISCORD_TOKEN=` in a compose file) means "not set", not "a blank token".
const optionalSecret = (name: string) =>
  Config.option(Config.redacted(name)).pipe(
    Config.map(Option.filter((value) => Redacted.value(value).trim() !== ""))
  )

export const discordSettingsConfig: Config.Config<DiscordSettings> = Config.all({
  token: optionalSecret("DISCORD_TOKEN"),
  apiBase: Config.option(Config.url("DISCORD_API_BASE")).pipe(
    Config.map(Option.map((url) => url.toString().replace(/\/+$/, "")))
  ),
  applicationId: Config.option(Config.string("DISCORD_APPLICATION_ID")).pipe(
    Config.map(Option.filter((id) => id.trim() !== ""))
  ),
  inviteSecret: optionalSecret("GUILDHALL_INVITE_SECRET")
})
