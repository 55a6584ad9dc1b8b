import { Context, Effect, Layer } from "effect"
import {
  DiscordMessageError,
  type DiscordMessageFailure,
  DiscordMessages,
  type OutgoingMessage
} from "../../core/index.js"

/**
 * DiscordMessages that records what it would post, with a control to inspect
 * the messages and program failures: for tests and local runs without a bot.
 */

export interface DiscordMessagesMemoryControlService {
  /** Every message sent so far, in order (failed sends are not recorded). */
  readonly sent: Effect.Effect<ReadonlyArray<OutgoingMessage>>
  /** The next `times` sends (default 1) fail with `reason`. */
  readonly failNext: (
    reason: DiscordMessageFailure,
    options?: { readonly times?: number; readonly retryAfterMs?: number | null }
  ) => Effect.Effect<void>
}

export class DiscordMessagesMemoryControl extends Context.Tag("adapters/memory/DiscordMessagesMemoryControl")<
  DiscordMessagesMemoryControl,
  DiscordMessagesMemoryControlService
>() {}

const make = Effect.sync(() => {
  const sent: Array<OutgoingMessage> = []
  const failures: Array<DiscordMessageError> = []

  const messages = DiscordMessages.of({
    send: (message) =>
      Effect.suspend(() => {
        const failure = failures.shift()
        if (failure !== undefined) return Effect.fail(failure)
        sent.push(message)
        return Effect.void
      })
  })

  const control = DiscordMessagesMemoryControl.of({
    sent: Effect.sync(() => sent.slice()),
    failNext: (reason, options = {}) =>
      Effect.sync(() => {
        for (let i = 0; i < (options.times ?? 1); i++) {
          failures.push(DiscordMessageError.of(reason, options.retryAfterMs ?? null))
        }
      })
  })

  return Context.make(DiscordMessages, messages).pipe(Context.add(DiscordMessagesMemoryControl, control))
})

/** DiscordMessages that records messages in memory, and the control that inspects them. */
export const DiscordMessagesMemory: Layer.Layer<DiscordMessages | DiscordMessagesMemoryControl> = Layer.effectContext(
  make
)
