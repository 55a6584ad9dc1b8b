import { DateTime } from "effect"

/**
 * A quota window, aligned to UTC boundaries: the calendar minute, hour, day or
 * month; `lifetime` never resets; `{ seconds }` is a fixed-length window
 * aligned to the epoch (per-user command cooldowns use these).
 */
export type Window = "minute" | "hour" | "day" | "month" | "lifetime" | { readonly seconds: number }

const fixedLengthMillis = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const

/** The epoch: when every lifetime window starts. */
const lifetimeStart = DateTime.unsafeMake(0)

/** UTC days have no leap seconds in epoch time, so minutes, hours and days are plain multiples of their length. */
const alignDown = (millis: number, length: number) => Math.floor(millis / length) * length

const lengthOf = (window: Exclude<Window, "month" | "lifetime">): number =>
  typeof window === "string" ? fixedLengthMillis[window] : window.seconds * 1000

/**
 * When the window containing `now` began: the start of its UTC minute, hour,
 * day or calendar month; for `{ seconds }` (which must be positive) the last
 * multiple of that length since the epoch; for lifetime, the epoch.
 */
export const windowStart = (window: Window, now: DateTime.Utc): DateTime.Utc => {
  if (window === "lifetime") return lifetimeStart
  const millis = DateTime.toEpochMillis(now)
  if (window === "month") {
    const date = new Date(millis)
    return DateTime.unsafeMake(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1))
  }
  return DateTime.unsafeMake(alignDown(millis, lengthOf(window)))
}

/** When the window containing `now` rolls over (the next window's start); null for lifetime, which never does. */
export const resetsAt = (window: Window, now: DateTime.Utc): DateTime.Utc | null => {
  if (window === "lifetime") return null
  const start = DateTime.toEpochMillis(windowStart(window, now))
  if (window === "month") {
    const date = new Date(start)
    // Date.UTC carries month 12 into January of the next year.
    return DateTime.unsafeMake(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1))
  }
  return DateTime.unsafeMake(start + lengthOf(window))
}
