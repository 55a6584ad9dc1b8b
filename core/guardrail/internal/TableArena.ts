/**
 * Where decision tables live: 64 KiB chunks of one Int32Array each, shared
 * by the tables placed in them, instead of an Int32Array per table. With
 * 10,000 guilds a decision's cost is the memory it touches; an array per
 * table puts every table's words in a malloc block of its own behind its own
 * object, while chunks pack all tables densely (fewer pages, so fewer TLB
 * misses) and a compiled policy reaches its words through a chunk object that
 * stays in cache. See docs/ADR/086-decision-table-layout.md. An arena belongs
 * to the engine that makes it (the PolicyCache layer's): none is shared.
 *
 * A chunk is freed by the garbage collector once no policy uses it. A
 * policy that is rebuilt or dropped leaves a hole, so when a chunk fills
 * (not every time: see `openChunk`) chunks less than half in use are
 * evacuated: their live tables are copied into a new chunk and their owners
 * repointed (decide reads its words and base together, synchronously, so a
 * move never splits a decision).
 */

/** What a placed table's owner holds: the chunk and the table's offset in it. */
export interface TablePlacement {
  decisionWords: Int32Array
  decisionBase: number
}

interface Placed {
  readonly owner: WeakRef<TablePlacement>
  readonly words: Int32Array
  readonly base: number
  readonly length: number
}

interface Chunk {
  readonly words: Int32Array
  used: number
  readonly placed: Array<Placed>
}

const CHUNK_WORDS = 16_384

const isLive = (placed: Placed): boolean => {
  const owner = placed.owner.deref()
  return owner !== undefined && owner.decisionWords === placed.words && owner.decisionBase === placed.base
}

export interface TableArena {
  /** Copies `words` into the arena at an offset that is a multiple of the arena's alignment, and points `owner` at them. */
  readonly place: (owner: TablePlacement, words: ArrayLike<number>) => void
  /** Chunks held and the words of live tables in them, for tests and the benchmark. */
  readonly stats: () => { readonly chunks: number; readonly liveWords: number }
}

/**
 * `alignWords`: every table starts at a multiple of it (the guardrail aligns
 * to its slot size, so a command's slot does not straddle more cache lines than it must).
 */
export const makeTableArena = (alignWords: number, chunkWords = CHUNK_WORDS): TableArena => {
  const chunks: Array<Chunk> = []
  let current: Chunk | undefined
  let openedSinceSweep = 0

  const newChunk = (): Chunk => {
    const chunk: Chunk = { words: new Int32Array(chunkWords), used: 0, placed: [] }
    chunks.push(chunk)
    return chunk
  }

  const liveIn = (chunk: Chunk) => chunk.placed.filter(isLive)

  const copyInto = (chunk: Chunk, owner: TablePlacement, words: ArrayLike<number>): boolean => {
    const base = Math.ceil(chunk.used / alignWords) * alignWords
    if (base + words.length > chunkWords) return false
    chunk.words.set(words, base)
    chunk.used = base + words.length
    chunk.placed.push({ owner: new WeakRef(owner), words: chunk.words, base, length: words.length })
    owner.decisionWords = chunk.words
    owner.decisionBase = base
    return true
  }

  /**
   * Opens a new chunk. Now and then (every eighth of the chunks held, so the
   * sweeps cost time linear in the tables placed) chunks less than half in
   * use first hand their live tables over to it (or to further new chunks)
   * and are dropped: the collector frees them once no policy points into them.
   */
  const openChunk = () => {
    if (++openedSinceSweep * 8 < chunks.length) {
      current = newChunk()
      return
    }
    openedSinceSweep = 0
    const moving: Array<{ readonly owner: TablePlacement; readonly words: Int32Array }> = []
    for (let i = chunks.length - 1; i >= 0; i--) {
      const chunk = chunks[i]!
      const live = liveIn(chunk)
      if (live.reduce((sum, placed) => sum + placed.length, 0) * 2 >= chunkWords) {
        chunk.placed.splice(0, chunk.placed.length, ...live)
        continue
      }
      chunks.splice(i, 1)
      for (const placed of live) {
        moving.push({
          owner: placed.owner.deref()!,
          words: placed.words.slice(placed.base, placed.base + placed.length)
        })
      }
    }
    current = newChunk()
    for (const { owner, words } of moving) {
      if (!copyInto(current, owner, words)) copyInto(current = newChunk(), owner, words)
    }
  }

  return {
    place: (owner, words) => {
      if (words.length > chunkWords) {
        owner.decisionWords = Int32Array.from(words)
        owner.decisionBase = 0
        return
      }
      if (current !== undefined && copyInto(current, owner, words)) return
      openChunk()
      if (!copyInto(current!, owner, words)) copyInto(current = newChunk(), owner, words)
    },
    stats: () => ({
      chunks: chunks.length,
      liveWords: chunks.reduce((sum, chunk) => sum + liveIn(chunk).reduce((s, placed) => s + placed.length, 0), 0)
    })
  }
}
