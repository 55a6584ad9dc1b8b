import { Context } from "effect"

/** The URL people reach this server at (no trailing slash): the base of checkout return links. */
export class PublicUrl extends Context.Tag("adapters/http/PublicUrl")<PublicUrl, string>() {}
