import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Api } from "../Api.js"

/** A small self-contained page: no scripts, no external assets, readable on a phone. */
const page = (title: string, paragraphs: ReadonlyArray<string>) =>
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#222}h1{font-size:1.5rem}</style>
</head>
<body>
<h1>${title}</h1>
${paragraphs.map((text) => `<p>${text}</p>`).join("\n")}
</body>
</html>
`

const checkoutDone = page("Payment received", [
  "Thank you. Your role (or your server's plan) is switched on as soon as the payment provider confirms the " +
  "payment, which usually takes a few seconds.",
  "You can close this tab and go back to Discord. If nothing has changed after a few minutes, ask the " +
  "server's admins: they can see the payment and grant the role again."
])

const checkoutCanceled = page("Checkout canceled", [
  "Nothing was charged.",
  "To try again, go back to Discord and run /purchase (for a role) or /upgrade (for the server's plan)."
])

export const PagesLive = HttpApiBuilder.group(Api, "pages", (handlers) =>
  handlers
    .handle("checkoutDone", () => Effect.succeed(checkoutDone))
    .handle("checkoutCanceled", () => Effect.succeed(checkoutCanceled)))
