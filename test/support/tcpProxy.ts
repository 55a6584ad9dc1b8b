import { Effect } from "effect"
import { createServer, Socket } from "node:net"

/** A TCP proxy a test controls, to make a server unreachable for a while (fault injection). */
export interface TcpProxy {
  /** The local port to connect to instead of the target's. */
  readonly port: number
  /** Drops every open connection and refuses new ones (each is reset at once) until `resume`. */
  readonly cut: Effect.Effect<void>
  /** Accepts and forwards connections again. */
  readonly resume: Effect.Effect<void>
}

/** A proxy on 127.0.0.1 (a random port) to `host:port`, closed with the scope. */
export const tcpProxy = (target: { readonly host: string; readonly port: number }) =>
  Effect.acquireRelease(
    Effect.async<{ readonly proxy: TcpProxy; readonly close: () => void }>((resume) => {
      const open = new Set<Socket>()
      let refusing = false
      const dropAll = () => {
        for (const socket of open) socket.destroy()
        open.clear()
      }
      const server = createServer((client) => {
        if (refusing) return void client.resetAndDestroy()
        const upstream = new Socket()
        open.add(client).add(upstream)
        const close = () => {
          client.destroy()
          upstream.destroy()
          open.delete(client)
          open.delete(upstream)
        }
        client.on("error", close).on("close", close)
        upstream.on("error", close).on("close", close)
        upstream.connect(target.port, target.host, () => {
          client.pipe(upstream)
          upstream.pipe(client)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = typeof address === "object" && address !== null ? address.port : 0
        resume(Effect.succeed({
          proxy: {
            port,
            cut: Effect.sync(() => {
              refusing = true
              dropAll()
            }),
            resume: Effect.sync(() => {
              refusing = false
            })
          },
          close: () => {
            dropAll()
            server.close()
          }
        }))
      })
    }),
    ({ close }) => Effect.sync(close)
  ).pipe(Effect.map(({ proxy }) => proxy))
