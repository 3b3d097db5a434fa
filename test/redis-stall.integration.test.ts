import { afterAll, beforeAll, expect, test } from "bun:test"
import { Queue } from "bullmq"
import { readAnswer } from "./support/answer.ts"
import { sleep, waitFor } from "./support/ports.ts"
import { startReceiver } from "./support/receiver.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { startServer, type TestServer } from "./support/server.ts"

let redis: TestRedis
let server: TestServer
let queue: Queue
const receiver = startReceiver(() => new Response(null, { status: 204 }))

beforeAll(async () => {
  redis = await startRedis()
  server = await startServer({ REDIS_URL: redis.url, DEFAULT_TARGET_URL: receiver.url })
  queue = new Queue("webhooks", { connection: { port: redis.port, host: "127.0.0.1" }, prefix: "nexora" })
})

afterAll(async () => {
  redis?.resume()
  await queue?.close()
  await server?.stop()
  await receiver.stop()
  await redis?.dispose()
})

const burst = (n: number, tag: string) => ({ actions: Array.from({ length: n }, (_, i) => ({ name: "STALL", params: { tag, i } })) })

test("a stalled Redis: 503 within the deadline, nothing delivered later, the Idempotency-Key free again", async () => {
  redis.pause()
  let answers: Array<Response>
  try {
    answers = await Promise.all([
      server.enqueue(burst(100, "a")),
      server.enqueue(burst(100, "b")),
      server.enqueue(burst(100, "c"), { "idempotency-key": "stalled-1" })
    ])
  } finally {
    redis.resume()
  }
  expect(answers.map((a) => a.status)).toEqual([503, 503, 503])
  for (const answer of answers) expect((await readAnswer(answer)).error).toBe("ServiceUnavailable")

  // Redis runs the late transactions now; the removals queued behind them must leave nothing to deliver.
  await waitFor("Redis to answer again", async () => (await server.fetch("/readyz")).ok, 15_000)
  await sleep(1_500)
  const counts = await queue.getJobCounts("waiting", "active", "delayed", "completed", "failed", "prioritized")
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0)
  expect(receiver.received).toHaveLength(0)

  const retried = await server.enqueue(burst(100, "c"), { "idempotency-key": "stalled-1" })
  expect(retried.status).toBe(202)
  await waitFor("the retried burst", () => receiver.received.length === 100, 15_000)
})
