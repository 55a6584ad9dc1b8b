import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { botLinksOf } from "../../programs/Settings.js"
import { TestServer } from "./harness.js"

// The bot's checkout links return here: the paths must be the ones served.
const links = botLinksOf("https://bot.example")

describe("checkout return pages", () => {
  it.effect.each(
    [
      ["done", new URL(links.checkoutSuccessUrl).pathname, "Payment received"],
      ["canceled", new URL(links.checkoutCancelUrl).pathname, "Nothing was charged"]
    ] as const
  )("the %s page is HTML for a browser, without a key", ([, path, text]) =>
    Effect.gen(function*() {
      const response = yield* HttpClient.get(path)
      expect(response.status).toBe(200)
      expect(response.headers["content-type"]).toContain("text/html")
      const body = yield* response.text
      expect(body).toContain("<!doctype html>")
      expect(body).toContain(text)
    }).pipe(Effect.provide(TestServer)))
})
