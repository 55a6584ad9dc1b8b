import { Config, ConfigError, Either, Option } from "effect"

/** Which gateway shards this process runs; None: all of them (discord.js asks Discord how many). */
export interface ShardSettings {
  readonly ids: ReadonlyArray<number>
  readonly count: number
}

/**
 * SHARD_IDS ("0,1" or "0-3") and SHARD_COUNT split the gateway between runner
 * processes: each process runs its ids out of count. Both or neither.
 */
export const shardSettingsConfig: Config.Config<Option.Option<ShardSettings>> = Config.all({
  ids: Config.option(Config.string("SHARD_IDS")),
  count: Config.option(Config.integer("SHARD_COUNT"))
}).pipe(
  Config.mapOrFail(({ count, ids }) => {
    if (Option.isNone(ids) && Option.isNone(count)) return Either.right(Option.none())
    if (Option.isNone(ids) || Option.isNone(count)) {
      return Either.left(
        ConfigError.InvalidData(
          [],
          "SHARD_IDS and SHARD_COUNT go together: set both (e.g. SHARD_IDS=0,1 SHARD_COUNT=4) or neither"
        )
      )
    }
    const parsed = parseShardIds(ids.value)
    if (parsed === null || count.value < 1 || parsed.some((id) => id >= count.value)) {
      return Either.left(
        ConfigError.InvalidData(
          [],
          `SHARD_IDS must list shard numbers below SHARD_COUNT (${count.value}), e.g. "0,1" or "0-3"; got "${ids.value}"`
        )
      )
    }
    return Either.right(Option.some({ ids: parsed, count: count.value }))
  })
)

/** "0,2,5-7" → [0, 2, 5, 6, 7]; null when malformed. */
export const parseShardIds = (text: string): ReadonlyArray<number> | null => {
  const ids = new Set<number>()
  for (const part of text.split(",").map((piece) => piece.trim())) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part)
    if (range === null) return null
    const from = Number(range[1])
    const to = range[2] === undefined ? from : Number(range[2])
    if (to < from) return null
    for (let id = from; id <= to; id++) ids.add(id)
  }
  return ids.size === 0 ? null : Array.from(ids).sort((a, b) => a - b)
}
