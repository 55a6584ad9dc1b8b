import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Random } from "effect"
import { findPaymentCode, generatePaymentCode, normalizePaymentCode, type SepaySettings } from "../../core/index.js"

type CodeSettings = Pick<SepaySettings, "codePrefix" | "suffixLength" | "suffixAlphabet">

const generate = (settings: CodeSettings, seed: number) =>
  Effect.runSync(generatePaymentCode(settings).pipe(Effect.withRandom(Random.make(seed))))

const settingsArb: fc.Arbitrary<CodeSettings> = fc.record({
  codePrefix: fc.stringMatching(/^[A-Za-z]{2,5}$/),
  suffixLength: fc.integer({ min: 4, max: 16 }),
  suffixAlphabet: fc.constantFrom("digits" as const, "alphanumeric" as const)
})

/** Text around a code, joined to it by a separator a bank might use. */
const surroundingArb = fc.tuple(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(" ", ".", "-", "_", " chuyen tien ", "\n"),
  fc.constantFrom(" ", ".", "-", "/", " FT24123 "),
  fc.string({ maxLength: 40 })
)

describe("generatePaymentCode", () => {
  it.prop(
    "is the prefix upper-cased and suffixLength characters of the alphabet",
    [settingsArb, fc.integer()],
    ([settings, seed]) => {
      const code = generate(settings, seed)
      const suffix = settings.suffixAlphabet === "digits" ? "[0-9]" : "[A-Z0-9]"
      expect(code).toMatch(new RegExp(`^${settings.codePrefix.toUpperCase()}${suffix}{${settings.suffixLength}}$`))
    }
  )

  it.effect("draws from Random: different seeds give different codes, the same seed the same code", () =>
    Effect.sync(() => {
      const settings: CodeSettings = { codePrefix: "gh", suffixLength: 8, suffixAlphabet: "alphanumeric" }
      expect(generate(settings, 1)).toBe(generate(settings, 1))
      const codes = new Set(Array.from({ length: 50 }, (_, seed) => generate(settings, seed)))
      expect(codes.size).toBe(50)
    }))

  it.effect("digit suffixes use every digit and alphanumeric suffixes use letters", () =>
    Effect.sync(() => {
      const digits = Array.from({ length: 40 }, (_, i) =>
        generate({ codePrefix: "GH", suffixLength: 16, suffixAlphabet: "digits" }, i).slice(2)).join("")
      expect(new Set(digits).size).toBe(10)
      const alnum = Array.from({ length: 40 }, (_, i) =>
        generate({ codePrefix: "GH", suffixLength: 16, suffixAlphabet: "alphanumeric" }, i).slice(2)).join("")
      expect(alnum).toMatch(/[A-Z]/)
      expect(alnum).toMatch(/[0-9]/)
    }))
})

describe("normalizePaymentCode", () => {
  it("upper-cases and trims", () => {
    expect(normalizePaymentCode("  gh12ab34cd \n")).toBe("GH12AB34CD")
  })
})

describe("findPaymentCode", () => {
  it.prop(
    "finds a generated code again inside arbitrary content, in any letter case",
    [settingsArb, fc.integer(), surroundingArb, fc.boolean()],
    ([settings, seed, [before, left, right, after], lower]) => {
      const code = generate(settings, seed)
      // Text that itself holds a code is a different case (the first code wins).
      fc.pre(findPaymentCode(before, settings.codePrefix, settings.suffixLength) === null)
      const typed = lower ? code.toLowerCase() : code
      const content = before + left + typed + right + after
      expect(findPaymentCode(content, settings.codePrefix, settings.suffixLength)).toBe(code)
    }
  )

  it("finds the code at the very start or end of the content", () => {
    expect(findPaymentCode("GHAB12CD34", "GH", 8)).toBe("GHAB12CD34")
    expect(findPaymentCode("ck ghab12cd34", "gh", 8)).toBe("GHAB12CD34")
    expect(findPaymentCode("MBVCB.5862.GHAB12CD34.CT tu 0123", "GH", 8)).toBe("GHAB12CD34")
  })

  it("does not take part of a longer run of letters and digits", () => {
    expect(findPaymentCode("GHAB12CD34X", "GH", 8)).toBeNull()
    expect(findPaymentCode("XGHAB12CD34", "GH", 8)).toBeNull()
    expect(findPaymentCode("GHAB12CD3", "GH", 8)).toBeNull()
    expect(findPaymentCode("no code here", "GH", 8)).toBeNull()
  })

  it("treats the prefix literally", () => {
    expect(findPaymentCode("ABAB12CD34", "A.", 8)).toBeNull()
  })
})
