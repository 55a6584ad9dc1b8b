import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { htmlContentType } from "./htmlPage.js"

const Html = HttpApiSchema.Text({ contentType: htmlContentType })

/**
 * The pages a person's browser lands on after a payment provider's checkout
 * (the bot's /purchase and /upgrade links return to them; see BotLinks). No
 * API key: they show no one's data.
 */
export class PagesApi extends HttpApiGroup.make("pages")
  .add(
    HttpApiEndpoint.get("checkoutDone", "/checkout/done")
      .addSuccess(Html)
      .annotate(OpenApi.Summary, "After a completed checkout")
      .annotate(
        OpenApi.Description,
        "An HTML page: the payment went through and the role or plan follows once the provider confirms it."
      )
  )
  .add(
    HttpApiEndpoint.get("checkoutCanceled", "/checkout/canceled")
      .addSuccess(Html)
      .annotate(OpenApi.Summary, "After a canceled checkout")
      .annotate(OpenApi.Description, "An HTML page: nothing was charged, and how to start again from Discord.")
  )
  .annotate(OpenApi.Description, "Pages for people's browsers")
{}
