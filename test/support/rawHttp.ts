import { connect } from "node:net"

export interface RawExchange {
  /** Everything the server wrote before it closed or went quiet. */
  readonly text: string
  /** The status code of each answer on the connection, in order. */
  readonly statuses: ReadonlyArray<number>
}

const statusesOf = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]))

/**
 * Speaks HTTP by hand over one TCP connection: writes `head`, then each part of `body` in turn, stopping
 * early once the server has answered if asked to (as a client would when refused), and collects what the
 * server writes until it closes. Should it go quiet for `quietMs` first, the client half-closes and waits
 * once more. Send `Connection: close` so a served request ends the exchange at once.
 */
export const exchange = (
  port: number,
  head: string,
  body: ReadonlyArray<string | Uint8Array> = [],
  options: {
    readonly quietMs?: number
    readonly stopWhenAnswered?: boolean
    /** Leave the sending side open: the server must answer without seeing the end of the request. */
    readonly keepOpen?: boolean
    /**
     * Wait this long between two parts, so that an answer the server gives early is read before more is
     * written: writing to a connection the server has closed can reset it and lose the answer.
     */
    readonly pauseMs?: number
  } = {}
): Promise<RawExchange> =>
  new Promise((resolve) => {
    const quietMs = options.quietMs ?? 1_000
    const socket = connect(port, "127.0.0.1")
    let text = ""
    let quiet: ReturnType<typeof setTimeout> | undefined
    let ended = false
    const finish = () => {
      clearTimeout(quiet)
      socket.destroy()
      resolve({ text, statuses: statusesOf(text) })
    }
    // Quiet after writing: give up sending (half-close) and see what the server says to that, then stop.
    const onQuiet = () => {
      if (ended || options.keepOpen) return finish()
      ended = true
      socket.end()
      armQuiet()
    }
    const armQuiet = () => {
      clearTimeout(quiet)
      quiet = setTimeout(onQuiet, quietMs)
    }
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1")
      armQuiet()
    })
    // A server that refuses a body may reset the connection while it is still being written.
    socket.on("error", () => undefined)
    socket.on("close", finish)
    socket.on("connect", async () => {
      socket.write(head)
      for (const part of body) {
        if (options.stopWhenAnswered && text.length > 0) break
        if (!socket.write(part)) await new Promise((r) => socket.once("drain", r))
        await new Promise((r) => (options.pauseMs ? setTimeout(r, options.pauseMs) : setImmediate(r)))
      }
      armQuiet()
    })
  })

/** A body in chunked encoding, one chunk per part. */
export const chunked = (parts: ReadonlyArray<string>): Array<string> => [
  ...parts.map((part) => `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`),
  "0\r\n\r\n"
]

/** `text` cut into parts of `size` characters. */
export const slices = (text: string, size: number): Array<string> =>
  Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size))
