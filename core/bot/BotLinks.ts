import { Context } from "effect"

/**
 * Where a checkout started from Discord sends the member back: pages of the
 * public site. Programs build them from PUBLIC_URL; tests provide them directly.
 */
export interface BotLinksService {
  readonly checkoutSuccessUrl: string
  readonly checkoutCancelUrl: string
}

export class BotLinks extends Context.Tag("core/BotLinks")<BotLinks, BotLinksService>() {}
