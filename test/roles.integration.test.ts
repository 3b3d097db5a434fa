import { afterAll, beforeAll, expect, test } from "bun:test"
import { jobIdsOf } from "./support/answer.ts"
import { burst, byWebhookId } from "./support/arrivals.ts"
import { attemptLines } from "./support/logs.ts"
import { sleep, waitFor } from "./support/ports.ts"
import { startReceiver } from "./support/receiver.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { startServer, type TestServer } from "./support/server.ts"

let redis: TestRedis
let api: TestServer
let workers: Array<TestServer> = []
const receiver = startReceiver(async () => {
  await sleep(20)
  return new Response(null, { status: 204 })
})

beforeAll(async () => {
  redis = await startRedis()
  const env = { REDIS_URL: redis.url, DEFAULT_TARGET_URL: receiver.url }
  // A small concurrency per worker, so that no single one can take the whole burst at once.
  const worker = () => startServer({ ...env, ROLE: "worker", DISPATCH_CONCURRENCY: "10" })
  ;[api, ...workers] = await Promise.all([startServer({ ...env, ROLE: "api" }), worker(), worker(), worker()])
})

afterAll(async () => {
  await Promise.all([api, ...workers].map((server) => server?.stop()))
  await receiver.stop()
  await redis?.dispose()
})

test("one api and three worker processes on one Redis: every job delivered once, spread across the workers", async () => {
  const ids = await jobIdsOf(await api.enqueue(burst(600, "SHARED")))
  await waitFor("600 deliveries", () => ids.every((id) => byWebhookId(receiver.received).has(id)), 60_000, 50)
  await sleep(300)

  for (const id of ids) expect(byWebhookId(receiver.received).get(id)).toHaveLength(1)
  // Which process delivered what: its one log line per attempt.
  const perWorker = workers.map((worker) => attemptLines(worker.output()).map((line) => String(line.annotations.jobId)))
  for (const delivered of perWorker) expect(delivered.length).toBeGreaterThan(0)
  expect(perWorker.flat().sort()).toEqual([...ids].sort())
  expect(attemptLines(api.output())).toHaveLength(0)
})

test("each role answers only its part: the api takes work, a worker answers probes and metrics only", async () => {
  const [worker] = workers
  if (worker === undefined) throw new Error("no worker")
  expect((await worker.enqueue(burst(1))).status).toBe(404)
  expect((await worker.fetch("/admin/queues")).status).toBe(404)
  for (const path of ["/healthz", "/readyz", "/metrics"]) expect((await worker.fetch(path)).status).toBe(200)
  for (const path of ["/healthz", "/readyz", "/metrics"]) expect((await api.fetch(path)).status).toBe(200)
})
