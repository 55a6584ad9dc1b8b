import { DateTime } from "effect"
import type { Fields } from "./facts.js"

// Whether a transition changed anything: state values compared deeply, the bookkeeping aside.

/** Deep equality of state values: primitives, instants, arrays and records (the key order aside). */
const sameValue = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (DateTime.isDateTime(a) || DateTime.isDateTime(b)) {
    return DateTime.isDateTime(a) && DateTime.isDateTime(b) && DateTime.Equivalence(a, b)
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i]))
  }
  return sameFields(a as Record<string, unknown>, b as Record<string, unknown>, noKeys)
}

const sameFields = (a: Record<string, unknown>, b: Record<string, unknown>, ignored: ReadonlySet<string>) => {
  const keys = Object.keys(a).filter((key) => !ignored.has(key))
  return keys.length === Object.keys(b).filter((key) => !ignored.has(key)).length &&
    keys.every((key) => Object.hasOwn(b, key) && sameValue(a[key], b[key]))
}

const noKeys: ReadonlySet<string> = new Set()
/** Count and date changes, not what changed. */
const bookkeeping: ReadonlySet<string> = new Set(["revision", "updatedAt"])

/** Equal but for revision and updatedAt. */
export const sameSubscription = (a: Fields, b: Fields): boolean =>
  sameFields(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>, bookkeeping)
