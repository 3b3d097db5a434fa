import { afterAll, beforeAll, expect, test } from "bun:test"
import { Queue } from "bullmq"
import { jobIdsOf, readAnswer } from "./support/answer.ts"
import { burst, byWebhookId } from "./support/arrivals.ts"
import { sleep, waitFor } from "./support/ports.ts"
import { startReceiver } from "./support/receiver.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { startServer, type TestServer } from "./support/server.ts"

let redis: TestRedis
let server: TestServer
const receiver = startReceiver(() => new Response(null, { status: 204 }))

beforeAll(async () => {
  // AOF: whatever Redis acknowledged survives its restart, so a job stored late would show up.
  redis = await startRedis({ aof: true })
  server = await startServer({ REDIS_URL: redis.url, DEFAULT_TARGET_URL: receiver.url })
})

afterAll(async () => {
  await server?.stop()
  await receiver.stop()
  await redis?.dispose()
})

test("Redis killed and restarted: 503 while away, readiness follows, the worker resumes by itself, no ghost jobs", async () => {
  const [before] = await jobIdsOf(await server.enqueue(burst(1, "BEFORE")))
  const [delayed] = await jobIdsOf(await server.enqueue({ actions: [{ name: "DELAYED", delayMs: 2_000 }] }))
  await waitFor("the first delivery", () => byWebhookId(receiver.received).has(before ?? ""), 10_000)

  await redis.stop({ hard: true })
  await waitFor("/readyz to answer 503", async () => (await server.fetch("/readyz")).status === 503, 5_000)
  const requests: Array<Record<string, string>> = [{}, { "idempotency-key": "outage-1" }]
  for (const headers of requests) {
    // The contract's 2 s is the wait limit: an answer not back by then fails the test.
    const answer = await Promise.race([server.enqueue(burst(5, "GHOST"), headers), sleep(2_000).then(() => new Response(null, { status: 599 }))])
    expect(answer.status).toBe(503)
    expect((await readAnswer(answer)).error).toBe("ServiceUnavailable")
  }
  // Longer than the worker's blocking wait for new jobs (BullMQ's drainDelay, 5 s).
  await sleep(6_500)
  expect((await server.fetch("/readyz")).status).toBe(503)

  await redis.start()
  await waitFor("/readyz to answer 200 again", async () => (await server.fetch("/readyz")).status === 200, 20_000, 100)
  const after = await jobIdsOf(await server.enqueue(burst(20, "AFTER")))
  await waitFor("deliveries after the outage", () => after.every((id) => byWebhookId(receiver.received).has(id)), 20_000)
  await waitFor("the delayed delivery", () => byWebhookId(receiver.received).has(delayed ?? ""), 20_000)
  await sleep(500)

  expect(receiver.received.some((r) => r.body.includes("GHOST"))).toBe(false)
  const queue = new Queue("webhooks", { connection: { host: "127.0.0.1", port: redis.port }, prefix: "nexora" })
  const names = (await queue.getJobs(["completed", "waiting", "delayed", "active", "failed"])).map((job) => job.name)
  await queue.close()
  expect(names.filter((name) => name === "GHOST")).toEqual([])
  expect(names).toHaveLength(22)
  // The refused request's Idempotency-Key was not used up: the same key now queues.
  expect((await server.enqueue(burst(1, "RETRIED"), { "idempotency-key": "outage-1" })).status).toBe(202)
})
