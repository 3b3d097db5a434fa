import { afterAll, beforeAll, expect, test } from "bun:test"
import { Redis } from "ioredis"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { startReceiver } from "./support/receiver.ts"
import { startServer, type TestServer } from "./support/server.ts"
import { waitFor } from "./support/ports.ts"

let redis: TestRedis
let server: TestServer
let client: Redis
const receiver = startReceiver(() => new Response(null, { status: 204 }))

beforeAll(async () => {
  redis = await startRedis()
  server = await startServer({ REDIS_URL: redis.url, DEFAULT_TARGET_URL: receiver.url, KEEP_COMPLETED: "200", KEEP_FAILED: "200" })
  client = new Redis(redis.url)
})

afterAll(async () => {
  client?.disconnect()
  await server?.stop()
  await receiver.stop()
  await redis?.dispose()
})

const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await client.info("memory"))?.[1])

/** Sends `count` actions in batches of 1,000 and waits until the receiver has them all. */
const run = async (count: number) => {
  const target = receiver.received.length + count
  for (let sent = 0; sent < count; sent += 1_000) {
    const actions = Array.from({ length: 1_000 }, (_, i) => ({ name: "RETAIN", params: { i: sent + i, pad: "x".repeat(200) } }))
    expect((await server.enqueue({ actions })).status).toBe(202)
  }
  await waitFor(`${target} deliveries`, () => receiver.received.length >= target, 120_000, 100)
  // Let the last completions be recorded and trimmed.
  await waitFor("the queue to settle", async () => (await client.zcard("nexora:webhooks:completed")) <= 200 && (await client.llen("nexora:webhooks:active")) === 0, 10_000)
}

test("Redis memory stays flat over 20,000 jobs: completed jobs and the events stream are capped", async () => {
  await run(5_000)
  const afterFirst = await usedMemory()
  const keysAfterFirst = await client.dbsize()
  await run(15_000)
  const afterAll = await usedMemory()
  expect(receiver.received.length).toBe(20_000)
  expect(await client.zcard("nexora:webhooks:completed")).toBeLessThanOrEqual(200)
  expect(await client.xlen("nexora:webhooks:events")).toBeLessThanOrEqual(1_100)
  expect(await client.dbsize()).toBeLessThanOrEqual(keysAfterFirst + 10)
  // Four times the jobs, about the same memory: a plateau, not growth (generous margin for allocator noise).
  expect(afterAll).toBeLessThan(afterFirst * 1.5)
})
