import { Context, type Option } from "effect"

/** The Discord application invite links add (DISCORD_APPLICATION_ID); None until the operator sets it. */
export class DiscordApplicationId extends Context.Tag("adapters/http/DiscordApplicationId")<
  DiscordApplicationId,
  Option.Option<string>
>() {}
