/**
 * The bench's webhook receiver, in its own process so it never competes with the measured one's event loop.
 * It records the first arrival of each `webhook-id` on the shared clock and answers 200 at once.
 * Control: `GET /stats`, `GET /arrivals`, `POST /reset`. Prints `{"port":…}` when listening.
 */
import { now } from "./clock.ts"

const arrivals = new Map<string, number>()
let last = 0

const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(req) {
    const path = new URL(req.url).pathname
    if (path === "/hook") {
      await req.arrayBuffer()
      const at = now()
      const id = req.headers.get("webhook-id") ?? ""
      if (!arrivals.has(id)) arrivals.set(id, at)
      last = at
      return new Response("ok")
    }
    if (path === "/stats") return Response.json({ count: arrivals.size, last })
    if (path === "/arrivals") return Response.json(Object.fromEntries(arrivals))
    if (path === "/reset") {
      arrivals.clear()
      last = 0
      return Response.json({ ok: true })
    }
    return new Response("not found", { status: 404 })
  }
})

console.log(JSON.stringify({ port: server.port }))
