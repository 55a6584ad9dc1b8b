import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { htmlContentType } from "./htmlPage.js"
import { returnPaths } from "./returnLinks.js"

const Html = HttpApiSchema.Text({ contentType: htmlContentType })

/**
 * The pages a person's browser lands on after a payment provider's checkout
 * or its billing portal (every return link the server gives a provider; see returnLinks). No
 * API key: they show no one's data.
 */
export class PagesApi extends HttpApiGroup.make("pages")
  .add(
    HttpApiEndpoint.get("checkoutDone", returnPaths.checkoutDone)
      .addSuccess(Html)
      .annotate(OpenApi.Summary, "After a completed checkout")
      .annotate(
        OpenApi.Description,
        "An HTML page: the payment went through and the role or plan follows once the provider confirms it."
      )
  )
  .add(
    HttpApiEndpoint.get("checkoutCanceled", returnPaths.checkoutCanceled)
      .addSuccess(Html)
      .annotate(OpenApi.Summary, "After a canceled checkout")
      .annotate(OpenApi.Description, "An HTML page: nothing was charged, and how to start again from Discord.")
  )
  .add(
    HttpApiEndpoint.get("portalClosed", returnPaths.portalClosed)
      .addSuccess(Html)
      .annotate(OpenApi.Summary, "After leaving the billing portal")
      .annotate(OpenApi.Description, "An HTML page: changes made in the portal apply once the provider confirms them.")
  )
  .annotate(OpenApi.Description, "Pages for people's browsers")
{}
