import { describe, expect, it } from "@effect/vitest"
import { withArticle } from "../../core/index.js"

describe("withArticle", () => {
  it("picks the article by the sound a word starts with, not only its first letter", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["admin", "an admin"],
      ["owner", "an owner"],
      ["mod", "a mod"],
      ["member", "a member"],
      ["hour", "an hour"],
      ["user", "a user"],
      ["unique id", "a unique id"],
      ["upgrade", "an upgrade"],
      ["one-time key", "a one-time key"]
    ]
    for (const [word, expected] of cases) expect(withArticle(word)).toBe(expected)
  })

  it("reads numbers aloud: an 8s, an 11s, an 18s, an 80s; a 1s, a 30s, a 100s", () => {
    for (const word of ["8s", "11s", "18s", "80s", "800s", "11000s"]) expect(withArticle(word)).toBe(`an ${word}`)
    for (const word of ["1s", "30s", "100s", "110s", "1100s"]) expect(withArticle(word)).toBe(`a ${word}`)
  })
})
