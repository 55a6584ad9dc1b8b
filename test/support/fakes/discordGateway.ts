import { randomUUID } from "node:crypto"
import { constants as zlibConstants, createDeflate, type Deflate } from "node:zlib"
import type { WebSocket } from "ws"
import { shardOf } from "./discordPayloads.js"

/**
 * The fake Discord's gateway (v10, JSON): HELLO, IDENTIFY → READY and one GUILD_CREATE
 * per guild of the shard, heartbeats, RESUME with replay of the dispatches missed since
 * the client's sequence, sessions that outlive their socket, and dispatches routed to
 * the shard owning a guild (`(guild_id >> 22) % shard_count`) when the session's intents
 * ask for them. JSON only; `compress=zlib-stream` is honoured with node:zlib (discord.js
 * asks for it only when zlib-sync is installed); identify `compress: true` is not.
 */

export const gatewayOpcodes = {
  dispatch: 0,
  heartbeat: 1,
  identify: 2,
  presenceUpdate: 3,
  resume: 6,
  reconnect: 7,
  requestGuildMembers: 8,
  invalidSession: 9,
  hello: 10,
  heartbeatAck: 11
} as const

export const gatewayIntents = {
  guilds: 1 << 0,
  guildMembers: 1 << 1,
  guildMessages: 1 << 9,
  messageContent: 1 << 15
} as const

export const gatewayCloseCodes = {
  unknownError: 4000,
  unknownOpcode: 4001,
  decodeError: 4002,
  notAuthenticated: 4003,
  authenticationFailed: 4004,
  alreadyAuthenticated: 4005,
  invalidShard: 4010
} as const

export type ShardTuple = readonly [shardId: number, shardCount: number]

/** What the gateway asks of the fake it belongs to. */
export interface GatewayHost {
  readonly token: string
  readonly heartbeatIntervalMs: number
  /** Dispatches kept per session for RESUME; older ones make a resume fail (op 9, then a new IDENTIFY). */
  readonly resumeBufferLimit: number
  readonly url: () => string
  /** READY's `user`, `application` and the ids of the shard's guilds. */
  readonly ready: (
    shard: ShardTuple
  ) => { readonly user: unknown; readonly application: unknown; readonly guildIds: Iterable<string> }
  /** GUILD_CREATE payloads for the shard's guilds, in order. */
  readonly guildCreates: (shard: ShardTuple) => Iterable<unknown>
  /** GUILD_MEMBERS_CHUNK payload for an op 8 request, undefined for a guild the fake does not know. */
  readonly membersChunk: (
    request: { readonly guild_id?: unknown; readonly user_ids?: unknown; readonly nonce?: unknown }
  ) => unknown
}

export interface GatewaySessionInfo {
  readonly sessionId: string
  readonly shard: ShardTuple
  readonly intents: number
  readonly connected: boolean
  readonly sequence: number
}

/** The fields the fake reads from what a client sends. */
interface GatewayData {
  readonly token?: unknown
  readonly shard?: unknown
  readonly intents?: unknown
  readonly session_id?: unknown
  readonly seq?: unknown
  readonly guild_id?: unknown
  readonly user_ids?: unknown
  readonly nonce?: unknown
}

interface Frame {
  readonly seq: number
  readonly text: string
}

class Connection {
  private deflate: Deflate | undefined
  private pending: Array<Buffer> = []
  constructor(readonly socket: WebSocket, zlibStream: boolean) {
    if (zlibStream) {
      this.deflate = createDeflate()
      this.deflate.on("data", (chunk: Buffer) => this.pending.push(chunk))
    }
  }
  send(text: string) {
    if (this.socket.readyState !== this.socket.OPEN) return
    const deflate = this.deflate
    if (deflate === undefined) return this.socket.send(text)
    deflate.write(text)
    deflate.flush(zlibConstants.Z_SYNC_FLUSH, () => {
      const chunk = Buffer.concat(this.pending)
      this.pending = []
      if (this.socket.readyState === this.socket.OPEN) this.socket.send(chunk)
    })
  }
  close() {
    this.deflate?.close()
  }
}

class Session {
  seq = 0
  frames: Array<Frame> = []
  connection: Connection | undefined
  constructor(
    readonly id: string,
    readonly shard: ShardTuple,
    readonly intents: number,
    private readonly limit: number
  ) {}

  dispatch(t: string, dataJson: string) {
    const seq = ++this.seq
    const text = `{"op":0,"t":"${t}","s":${seq},"d":${dataJson}}`
    this.frames.push({ seq, text })
    // Trim in batches so keeping the buffer bounded stays O(1) per dispatch.
    if (this.frames.length > this.limit * 2) this.frames = this.frames.slice(-this.limit)
    this.connection?.send(text)
  }

  /** Sends what followed `seq`; false when the buffer no longer reaches back that far. */
  replayAfter(seq: number): boolean {
    const oldest = this.frames[0]?.seq ?? this.seq + 1
    if (seq < oldest - 1 || seq > this.seq) return false
    for (const frame of this.frames) if (frame.seq > seq) this.connection?.send(frame.text)
    return true
  }
}

const frame = (op: number, d: unknown) => JSON.stringify({ op, d, s: null, t: null })

export class Gateway {
  private readonly sessions = new Map<string, Session>()
  private readonly sockets = new Set<WebSocket>()
  readonly identifies: Array<ShardTuple> = []
  resumes = 0
  connections = 0
  heartbeats = 0

  constructor(private readonly host: GatewayHost) {}

  accept(socket: WebSocket, url: URL) {
    this.connections++
    this.sockets.add(socket)
    const connection = new Connection(socket, url.searchParams.get("compress") === "zlib-stream")
    let session: Session | undefined
    socket.on("close", (code) => {
      this.sockets.delete(socket)
      connection.close()
      if (session === undefined || session.connection !== connection) return
      session.connection = undefined
      // A client closing with 1000/1001 ends its session, as on Discord; other codes keep it resumable.
      if (code === 1000 || code === 1001) this.sessions.delete(session.id)
    })
    socket.on("message", (raw, isBinary) => {
      let payload: { op?: unknown; d?: GatewayData | null }
      try {
        payload = JSON.parse(isBinary ? Buffer.from(raw as Buffer).toString("utf8") : String(raw))
      } catch {
        return socket.close(gatewayCloseCodes.decodeError, "Error while decoding payload.")
      }
      switch (payload.op) {
        case gatewayOpcodes.heartbeat:
          this.heartbeats++
          return connection.send(frame(gatewayOpcodes.heartbeatAck, null))
        case gatewayOpcodes.identify: {
          if (session !== undefined) {
            return socket.close(gatewayCloseCodes.alreadyAuthenticated, "Already authenticated.")
          }
          if (payload.d?.token !== this.host.token) {
            return socket.close(gatewayCloseCodes.authenticationFailed, "Authentication failed.")
          }
          const shard: ShardTuple = Array.isArray(payload.d.shard)
            ? [Number(payload.d.shard[0]), Number(payload.d.shard[1])]
            : [0, 1]
          if (!(shard[1] >= 1 && shard[0] >= 0 && shard[0] < shard[1])) {
            return socket.close(gatewayCloseCodes.invalidShard, "Invalid shard.")
          }
          session = new Session(
            randomUUID().replaceAll("-", ""),
            shard,
            Number(payload.d.intents ?? 0),
            this.host.resumeBufferLimit
          )
          session.connection = connection
          this.sessions.set(session.id, session)
          this.identifies.push(shard)
          return this.ready(session)
        }
        case gatewayOpcodes.resume: {
          if (session !== undefined) {
            return socket.close(gatewayCloseCodes.alreadyAuthenticated, "Already authenticated.")
          }
          if (payload.d?.token !== this.host.token) {
            return socket.close(gatewayCloseCodes.authenticationFailed, "Authentication failed.")
          }
          const resumed = this.sessions.get(String(payload.d.session_id))
          if (resumed === undefined) return connection.send(frame(gatewayOpcodes.invalidSession, false))
          resumed.connection?.socket.close(gatewayCloseCodes.unknownError, "Session resumed elsewhere.")
          resumed.connection = connection
          if (!resumed.replayAfter(Number(payload.d.seq ?? 0))) {
            resumed.connection = undefined
            this.sessions.delete(resumed.id)
            return connection.send(frame(gatewayOpcodes.invalidSession, false))
          }
          session = resumed
          this.resumes++
          return session.dispatch("RESUMED", "{}")
        }
        case gatewayOpcodes.presenceUpdate:
          if (session === undefined) return socket.close(gatewayCloseCodes.notAuthenticated, "Not authenticated.")
          return
        case gatewayOpcodes.requestGuildMembers: {
          if (session === undefined) return socket.close(gatewayCloseCodes.notAuthenticated, "Not authenticated.")
          const chunk = this.host.membersChunk(payload.d ?? {})
          if (chunk !== undefined) session.dispatch("GUILD_MEMBERS_CHUNK", JSON.stringify(chunk))
          return
        }
        default:
          return socket.close(gatewayCloseCodes.unknownOpcode, "Unknown opcode.")
      }
    })
    connection.send(frame(gatewayOpcodes.hello, { heartbeat_interval: this.host.heartbeatIntervalMs }))
  }

  private ready(session: Session) {
    const { application, guildIds, user } = this.host.ready(session.shard)
    session.dispatch(
      "READY",
      JSON.stringify({
        v: 10,
        user_settings: {},
        user,
        guilds: Array.from(guildIds, (id) => ({ id, unavailable: true })),
        session_id: session.id,
        session_type: "normal",
        resume_gateway_url: this.host.url(),
        shard: session.shard,
        application,
        private_channels: [],
        relationships: [],
        presences: [],
        guild_join_requests: [],
        geo_ordered_rtc_regions: [],
        auth: {},
        _trace: ["fake-discord"]
      })
    )
    for (const guild of this.host.guildCreates(session.shard)) session.dispatch("GUILD_CREATE", JSON.stringify(guild))
  }

  /**
   * Sends a dispatch to every session whose shard owns the guild (and, with `intent`, that
   * asked for it); disconnected sessions buffer it for RESUME. `d` may depend on the session's
   * intents (message content without MessageContent is empty). The number of sessions reached.
   */
  dispatch(shardKey: bigint, t: string, d: unknown | ((intents: number) => unknown), intent?: number): number {
    let reached = 0
    let json: string | undefined
    for (const session of this.sessions.values()) {
      if (shardOf(shardKey, session.shard[1]) !== session.shard[0]) continue
      if (intent !== undefined && (session.intents & intent) === 0) continue
      const text = typeof d === "function" ? JSON.stringify(d(session.intents)) : (json ??= JSON.stringify(d))
      session.dispatch(t, text)
      reached++
    }
    return reached
  }

  /** Whether a session (connected or resumable) owns the guild's shard. */
  hasSessionFor(shardKey: bigint): boolean {
    for (const session of this.sessions.values()) {
      if (shardOf(shardKey, session.shard[1]) === session.shard[0]) return true
    }
    return false
  }

  sessionInfos(): ReadonlyArray<GatewaySessionInfo> {
    return Array.from(this.sessions.values(), (session) => ({
      sessionId: session.id,
      shard: session.shard,
      intents: session.intents,
      connected: session.connection !== undefined,
      sequence: session.seq
    }))
  }

  /** Closes every open socket with `code`; sessions stay, so a client can RESUME (4000) or must IDENTIFY again. */
  drop(code: number, reason = "Dropped by the fake") {
    for (const socket of this.sockets) socket.close(code, reason)
  }

  /** Forgets every session: the next RESUME gets op 9 and the client identifies again. */
  invalidateSessions() {
    this.sessions.clear()
  }

  terminate() {
    for (const socket of this.sockets) socket.terminate()
    this.sockets.clear()
    this.sessions.clear()
  }
}
