import type { Server } from "bun"

export interface Received {
  readonly at: number
  readonly body: string
  readonly headers: Record<string, string>
  readonly path: string
}

export type Respond = (request: Received, index: number) => Response | Promise<Response>

export interface TestReceiver {
  readonly url: string
  readonly origin: string
  readonly received: Array<Received>
  /** Replaces how the receiver answers from now on. */
  respond(respond: Respond): void
  stop(): Promise<void>
}

/** A local webhook receiver that records every request and answers as scripted (200 by default). */
export const startReceiver = (respond: Respond = () => new Response("ok"), options: { port?: number } = {}): TestReceiver => {
  const received: Array<Received> = []
  let current = respond
  const server: Server<undefined> = Bun.serve({
    port: options.port ?? 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const request: Received = {
        at: Date.now(),
        body: await req.text(),
        headers: Object.fromEntries(req.headers.entries()),
        path: new URL(req.url).pathname
      }
      received.push(request)
      return current(request, received.length - 1)
    }
  })
  const origin = `http://127.0.0.1:${server.port}`
  return {
    url: `${origin}/hook`,
    origin,
    received,
    respond: (next) => {
      current = next
    },
    stop: () => server.stop(true)
  }
}
