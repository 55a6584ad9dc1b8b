import { describe, expect, it } from "@effect/vitest"
import { makeTableArena, type TablePlacement } from "../../core/guardrail/internal/TableArena.js"

const owner = (): TablePlacement => ({ decisionWords: new Int32Array(0), decisionBase: 0 })
const table = (seed: number, length: number) => Array.from({ length }, (_, i) => seed * 1_000 + i)
const read = (placed: TablePlacement, length: number) =>
  Array.from(placed.decisionWords.subarray(placed.decisionBase, placed.decisionBase + length))

describe("TableArena", () => {
  it("places tables aligned, side by side in a chunk, and gives a table longer than a chunk its own array", () => {
    const arena = makeTableArena(16, 256)
    const owners = Array.from({ length: 6 }, owner)
    owners.forEach((o, n) => arena.place(o, table(n, 40)))
    owners.forEach((o, n) => {
      expect(o.decisionBase % 16).toBe(0)
      expect(read(o, 40)).toEqual(table(n, 40))
    })
    // Four 40-word tables at 48-word steps fill 256 words' worth of chunk up to the fifth.
    expect(owners[1]!.decisionWords).toBe(owners[0]!.decisionWords)
    expect(owners[5]!.decisionWords).not.toBe(owners[0]!.decisionWords)
    const big = owner()
    arena.place(big, table(9, 300))
    expect(big.decisionBase).toBe(0)
    expect(read(big, 300)).toEqual(table(9, 300))
    expect(arena.stats()).toEqual({ chunks: 2, liveWords: 6 * 40 })
  })

  it("moves the live tables out of chunks that rebuilt tables left mostly empty, and their owners follow", () => {
    const arena = makeTableArena(16, 256)
    const owners = Array.from({ length: 20 }, owner)
    owners.forEach((o, n) => arena.place(o, table(n, 40)))
    const firstChunk = owners[0]!.decisionWords
    // Rebuild every table but the first: the first chunk keeps one live table of five.
    for (let round = 1; round <= 3; round++) {
      owners.slice(1).forEach((o, n) => arena.place(o, table(100 * round + n + 1, 40)))
    }
    expect(owners[0]!.decisionWords).not.toBe(firstChunk)
    expect(read(owners[0]!, 40)).toEqual(table(0, 40))
    owners.slice(1).forEach((o, n) => expect(read(o, 40)).toEqual(table(300 + n + 1, 40)))
    // 20 live tables of 40 words need 4 chunks of 256; sparse chunks were let go along the way.
    const { chunks, liveWords } = arena.stats()
    expect(liveWords).toBe(20 * 40)
    expect(chunks).toBeLessThanOrEqual(10)
  })
})
