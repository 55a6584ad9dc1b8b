/**
 * What the bot answers an interaction with. Ephemeral replies are seen by the
 * invoking member only (denials, errors, anything personal such as a checkout
 * link); Discord fixes ephemerality when the reply is deferred, so it is
 * decided before the handler runs (see CommandHandler.ephemeral).
 */
export interface Reply {
  readonly content: string
  readonly ephemeral: boolean
}

export const Reply = {
  /** Seen by everyone in the channel. */
  visible: (content: string): Reply => ({ content, ephemeral: false }),
  /** Seen by the invoking member only. */
  private: (content: string): Reply => ({ content, ephemeral: true })
} as const

/** Discord's limit on a message's content. */
export const maxReplyLength = 2_000

/** Keeps a reply within Discord's limit, saying that it was cut. */
export const fitReply = (reply: Reply): Reply =>
  reply.content.length <= maxReplyLength
    ? reply
    : { ...reply, content: `${reply.content.slice(0, maxReplyLength - 2)} …` }
