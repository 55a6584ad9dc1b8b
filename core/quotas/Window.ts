/**
 * A quota window, aligned to UTC boundaries: the calendar minute, hour, day or
 * month; `lifetime` never resets; `{ seconds }` is a fixed-length window
 * aligned to the epoch (per-user command cooldowns use these).
 */
export type Window = "minute" | "hour" | "day" | "month" | "lifetime" | { readonly seconds: number }
