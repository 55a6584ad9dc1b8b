/**
 * "a" or "an" by the sound a word or number starts with, for messages built
 * from values ("an admin role", "a mod role", "an hour", "an 8s cooldown").
 * Spelling decides except for the usual exceptions: a silent h, a "u" or
 * "eu" said "you", "one" said "won"; a number by how it is read aloud.
 */
const silentH = /^(hour|honest|honou?r|heir)/i
const consonantVowel = /^(u[bcfhjklmrstvz][aeiou]|uni|eu|one\b|once\b)/i
const startsWithVowelSound = (word: string): boolean => {
  const digits = /^\d+/.exec(word)?.[0]
  if (digits !== undefined) {
    // 8…, and 11/18 read as "eleven"/"eighteen" (also as thousands, millions, …).
    return digits[0] === "8" || (digits.length % 3 === 2 && (digits.startsWith("11") || digits.startsWith("18")))
  }
  if (silentH.test(word)) return true
  return /^[aeiou]/i.test(word) && !consonantVowel.test(word)
}

export const withArticle = (word: string): string => `${startsWithVowelSound(word) ? "an" : "a"} ${word}`
