import { afterAll, beforeAll, expect, test } from "bun:test"
import type { Queue } from "bullmq"
import { jobIdsOf } from "./support/answer.ts"
import { startReceiver, type TestReceiver } from "./support/receiver.ts"
import { openQueue } from "./support/queue.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { startServer, type TestServer } from "./support/server.ts"
import { waitFor } from "./support/ports.ts"

let redis: TestRedis
let receiver: TestReceiver
let api: TestServer
let worker: TestServer
let queue: Queue

beforeAll(async () => {
  redis = await startRedis()
  receiver = startReceiver()
  const common = { REDIS_URL: redis.url, DEFAULT_TARGET_URL: "http://127.0.0.1:9/unused", MAX_ATTEMPTS: "5", BACKOFF_DELAY_MS: "50" }
  // The API still lists the receiver; the worker has since been set to allow only public addresses.
  api = await startServer({ ...common, ROLE: "api", TARGET_URL_ALLOWLIST: receiver.origin })
  worker = await startServer({ ...common, ROLE: "worker", TARGET_URL_ALLOWLIST: "*" })
  queue = openQueue(redis)
})

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()])
  await queue?.close()
  await receiver?.stop()
  await redis?.dispose()
})

test("a target refused at delivery fails the job at once, with the reason kept on it, and nothing is sent", async () => {
  const response = await api.enqueue({ actions: [{ name: "CREATE_ORDER", params: { total: 45 } }], targetUrl: receiver.url })
  expect(response.status).toBe(202)
  const [id = ""] = await jobIdsOf(response)

  await waitFor("the job to fail", async () => (await queue.getJob(id))?.failedReason !== undefined)
  const job = await queue.getJob(id)
  expect(await job?.getState()).toBe("failed")
  expect(job?.attemptsMade).toBe(1)
  expect(job?.failedReason).toBe(
    "refused: the targetUrl host 127.0.0.1 is not a public address (loopback); only origins listed in TARGET_URL_ALLOWLIST may reach it"
  )
  const { logs } = await queue.getJobLogs(id)
  expect(logs.map((line) => JSON.parse(line))).toEqual([
    expect.objectContaining({ attempt: 1, outcome: "Permanent", status: null, reason: job?.failedReason })
  ])
  expect(receiver.received).toHaveLength(0)
  expect(worker.output()).toContain('"outcome":"Permanent"')
})
