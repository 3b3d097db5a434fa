/**
 * A sample receiver on the receiver kit, behaving like a real app: it verifies every signature, is briefly
 * overloaded now and then (503), refuses poison actions (422, with the same rules as examples/nextjs), and
 * processes each action once. `bun run demo` starts it in-process; alone:
 * `WEBHOOK_SECRET=… PORT=4000 bun run examples/receiver/server.ts`.
 */
import { memoryWebhookIdStore, processOnce, type VerifyFailureReason, verifyWebhook } from "nexora-queue/receiver"
import { parseAction } from "../nextjs/lib/actions.ts"

export interface ReceiverStats {
  /** Deliveries whose signature held. */
  verified: number
  /** Deliveries refused with 401, by reason. */
  readonly refused: Map<VerifyFailureReason, number>
  /** Attempts answered 503, by webhook-id. */
  readonly unavailable: Map<string, number>
  /** Poison actions answered 422: webhook-id → why. */
  readonly rejected: Map<string, string>
  /** How many times each action was applied: 1, or dedup failed. */
  readonly processed: Map<string, number>
  /** Deliveries of an action already processed, acknowledged without processing. */
  duplicates: number
  /** `performance.now()` of each action's first arrival and of its successful delivery. */
  readonly firstArrival: Map<string, number>
  readonly deliveredAt: Map<string, number>
}

export interface SampleReceiver {
  readonly url: string
  readonly stats: ReceiverStats
  stop(): Promise<void>
}

export interface SampleReceiverOptions {
  readonly secrets: string | ReadonlyArray<string>
  /** Share of verified deliveries answered 503 at random. */
  readonly unavailableRate: number
  readonly port?: number
  readonly random?: () => number
}

const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1)

export const startSampleReceiver = (options: SampleReceiverOptions): SampleReceiver => {
  const random = options.random ?? Math.random
  const seen = memoryWebhookIdStore()
  const stats: ReceiverStats = {
    verified: 0,
    refused: new Map(),
    unavailable: new Map(),
    rejected: new Map(),
    processed: new Map(),
    duplicates: 0,
    firstArrival: new Map(),
    deliveredAt: new Map()
  }
  const server = Bun.serve({
    port: options.port ?? 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const arrived = performance.now()
      const body = await request.text()
      const verified = verifyWebhook(body, request.headers, options.secrets)
      if (!verified.ok) {
        bump(stats.refused, verified.reason)
        return new Response(verified.message, { status: 401 })
      }
      stats.verified++
      const { id } = verified
      if (!stats.firstArrival.has(id)) stats.firstArrival.set(id, arrived)
      if (random() < options.unavailableRate) {
        bump(stats.unavailable, id)
        return new Response("busy, try again", { status: 503 })
      }
      const parsed = parseAction(body)
      if (!parsed.ok) {
        stats.rejected.set(id, parsed.message)
        return new Response(parsed.message, { status: 422 })
      }
      const result = await processOnce(seen, id, () => bump(stats.processed, id))
      if (result.status === "in-progress") return new Response("in progress", { status: 503, headers: { "retry-after": "1" } })
      if (result.status === "duplicate") stats.duplicates++
      if (!stats.deliveredAt.has(id)) stats.deliveredAt.set(id, performance.now())
      return new Response(null, { status: 204 })
    }
  })
  return { url: `http://127.0.0.1:${server.port}/webhooks`, stats, stop: () => server.stop(true) }
}

if (import.meta.main) {
  const secret = process.env.WEBHOOK_SECRET
  if (secret === undefined || secret === "") {
    console.error("set WEBHOOK_SECRET to the server's secret")
    process.exit(1)
  }
  const receiver = startSampleReceiver({
    secrets: [secret, ...(process.env.WEBHOOK_SECRET_PREVIOUS ? [process.env.WEBHOOK_SECRET_PREVIOUS] : [])],
    unavailableRate: Number(process.env.UNAVAILABLE_RATE ?? "0"),
    port: Number(process.env.PORT ?? "4000")
  })
  console.log(`receiving at ${receiver.url}`)
}
