import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Api } from "../Api.js"
import { htmlPage } from "./htmlPage.js"

const checkoutDone = htmlPage("Payment received", [
  "Thank you. Your role (or your server's plan) is switched on as soon as the payment provider confirms the " +
  "payment, which usually takes a few seconds.",
  "You can close this tab and go back to Discord. If nothing has changed after a few minutes, ask the " +
  "server's admins: they can see the payment and grant the role again."
])

const checkoutCanceled = htmlPage("Checkout canceled", [
  "Nothing was charged.",
  "To try again, go back to Discord and run /purchase (for a role) or /upgrade (for the server's plan)."
])

const portalClosed = htmlPage("Billing settings", [
  "Changes you made (card, plan, cancellation) apply as soon as the payment provider confirms them.",
  "You can close this tab and go back to Discord."
])

export const HttpPagesLive = HttpApiBuilder.group(Api, "pages", (handlers) =>
  handlers
    .handle("checkoutDone", () => Effect.succeed(checkoutDone))
    .handle("checkoutCanceled", () => Effect.succeed(checkoutCanceled))
    .handle("portalClosed", () => Effect.succeed(portalClosed)))
