import { afterAll, beforeAll, expect, test } from "bun:test"
import { Redis } from "ioredis"
import { jobIdsOf } from "./support/answer.ts"
import { burst, byWebhookId, repeated } from "./support/arrivals.ts"
import { sleep, waitFor } from "./support/ports.ts"
import { startReceiver } from "./support/receiver.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { startServer, type TestServer } from "./support/server.ts"

let redis: TestRedis
let client: Redis
let server: TestServer | undefined
// A slow receiver, so that many deliveries are in flight when the worker dies.
const receiver = startReceiver(async () => {
  await sleep(40)
  return new Response(null, { status: 204 })
})

beforeAll(async () => {
  redis = await startRedis()
  client = new Redis(redis.url)
})

afterAll(async () => {
  client?.disconnect()
  await server?.stop()
  await receiver.stop()
  await redis?.dispose()
})

test("kill -9 mid-burst of 1,000 slow deliveries, then a restart: 1,000 delivered, repeats only of those in flight", async () => {
  // The attempt timeout sets the lock (3x, at least 5 s): a dead worker's jobs come back soon after.
  const env = { REDIS_URL: redis.url, DEFAULT_TARGET_URL: receiver.url, DISPATCH_TIMEOUT_MS: "1000", DISPATCH_CONCURRENCY: "50" }
  server = await startServer(env)
  const ids = await jobIdsOf(await server.enqueue(burst(1_000, "CRASH")))
  expect(ids).toHaveLength(1_000)
  await waitFor("300 deliveries", () => receiver.received.length >= 300, 30_000, 5)

  expect(await server.stop("SIGKILL")).not.toBe(0)
  const deliveredBeforeKill = byWebhookId(receiver.received).size
  expect(deliveredBeforeKill).toBeLessThan(1_000)
  // Nothing runs now: the jobs BullMQ holds as active are exactly those in flight at the kill.
  const inFlightAtKill = new Set(await client.lrange("nexora:webhooks:active", 0, -1))
  expect(inFlightAtKill.size).toBeGreaterThan(0)

  server = await startServer(env)
  await waitFor("all 1,000 delivered", () => ids.every((id) => byWebhookId(receiver.received).has(id)), 60_000, 100)
  await waitFor("every job completed", async () => Number(await client.zcard("nexora:webhooks:completed")) === 1_000, 15_000)
  await sleep(300)

  expect(byWebhookId(receiver.received).size).toBe(1_000)
  const twice = repeated(receiver.received)
  for (const id of twice) expect(inFlightAtKill.has(id)).toBe(true)
  for (const group of byWebhookId(receiver.received).values()) expect(group.length).toBeLessThanOrEqual(2)
  expect(await client.zcard("nexora:webhooks:failed")).toBe(0)
})
