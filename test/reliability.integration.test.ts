import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { jobIdsOf, readAnswer } from "./support/answer.ts"
import { freePort, sleep, waitFor } from "./support/ports.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { type Received, type Respond, startReceiver, type TestReceiver } from "./support/receiver.ts"
import { startServer, TEST_ADMIN, TEST_TOKEN, type TestServer } from "./support/server.ts"

let redis: TestRedis
let server: TestServer
let receiverPort: number
let receiver: TestReceiver
const arrivals: Array<Received> = []

/** Poison names are refused with 422; the rest is accepted. Every arrival is kept across receiver restarts. */
const respond: Respond = (request) => {
  arrivals.push(request)
  const { name } = JSON.parse(request.body) as { name: string }
  if (name.startsWith("POISON") && !acceptPoison) return new Response(`cannot process ${name}`, { status: 422 })
  if (name === "RATE_LIMITED" && arrivals.filter((a) => a.headers["webhook-id"] === request.headers["webhook-id"]).length === 1) {
    return new Response("slow down", { status: 429, headers: { "retry-after": "1" } })
  }
  return new Response(null, { status: 204 })
}
let acceptPoison = false

const env = () => ({
  REDIS_URL: redis.url,
  DEFAULT_TARGET_URL: `http://127.0.0.1:${receiverPort}/hook`,
  BACKOFF_DELAY_MS: "100",
  MAX_ATTEMPTS: "8"
})

beforeAll(async () => {
  redis = await startRedis({ aof: true })
  receiverPort = await freePort()
  receiver = startReceiver(respond, { port: receiverPort })
  server = await startServer(env())
})

afterAll(async () => {
  await server?.stop()
  await receiver?.stop()
  await redis?.dispose()
})

const auth = { authorization: `Bearer ${TEST_TOKEN}` }
const of = (id: string) => arrivals.filter((a) => a.headers["webhook-id"] === id)
const job = async (id: string) => readAnswer(await server.fetch(`/jobs/${id}`, { headers: auth }))
const stateOf = async (id: string) => (await job(id)).state

describe("delivery a webhook platform is trusted for", () => {
  test("a receiver down for several backoff steps, then up: every action delivered once", async () => {
    await receiver.stop()
    const ids = await jobIdsOf(await server.enqueue({ actions: Array.from({ length: 20 }, (_, i) => ({ name: "OUTAGE", params: { i } })) }))
    // Down for 1.5 s: the attempts at ~0, 0.1, 0.3, 0.7 and 1.5 s find nobody listening.
    await sleep(1_500)
    receiver = startReceiver(respond, { port: receiverPort })
    await waitFor("20 deliveries after the outage", async () => (await Promise.all(ids.map(stateOf))).every((s) => s === "completed"), 30_000)
    for (const id of ids) expect(of(id)).toHaveLength(1)
    const attempts = await Promise.all(ids.map(async (id) => (await job(id)).attemptsMade))
    expect(Math.max(...attempts.map(Number))).toBeGreaterThan(1)
  })

  test("Retry-After is honoured: the next attempt comes no earlier", async () => {
    const [id] = await jobIdsOf(await server.enqueue({ actions: [{ name: "RATE_LIMITED" }] }))
    if (id === undefined) throw new Error("no id")
    await waitFor("the second attempt", () => of(id).length === 2, 15_000)
    const [first, second] = of(id)
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950)
    expect(second?.headers["nexora-attempt"]).toBe("2")
  })

  test("a failed job keeps its reason; it is replayed alone, then a filtered set, with the same webhook-id", async () => {
    const ids = await jobIdsOf(
      await server.enqueue({
        actions: [
          { name: "POISON_A", params: 1 },
          { name: "POISON_B", params: 2 },
          { name: "POISON_B", params: 3 },
          { name: "POISON_C", params: 4 }
        ]
      })
    )
    await waitFor("four failures", async () => (await Promise.all(ids.map(stateOf))).every((s) => s === "failed"), 15_000)
    const [a, b1, b2, c] = ids
    if (!a || !b1 || !b2 || !c) throw new Error("ids missing")
    const failed = await job(a)
    expect(failed.attemptsMade).toBe(1)
    expect(failed.failedReason).toContain("HTTP 422")
    expect(failed.lastAttempt).toMatchObject({ attempt: 1, status: 422, outcome: "Permanent", body: "cannot process POISON_A" })

    acceptPoison = true
    const one = await server.fetch(`/jobs/${a}/retry`, { method: "POST", headers: auth })
    expect(one.status).toBe(202)
    await waitFor("the replayed job", async () => (await stateOf(a)) === "completed", 15_000)
    expect(of(a).map((r) => r.headers["nexora-attempt"])).toEqual(["1", "2"])
    expect(new Set(of(a).map((r) => r.headers["webhook-id"]))).toEqual(new Set([a]))
    expect((await server.fetch(`/jobs/${a}/retry`, { method: "POST", headers: auth })).status).toBe(409)

    const filtered = await server.fetch("/jobs/retry-failed", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "POISON_B", from: new Date(Date.now() - 60_000).toISOString() })
    })
    expect(await readAnswer(filtered)).toEqual({ replayed: 2 })
    await waitFor("both B jobs", async () => (await stateOf(b1)) === "completed" && (await stateOf(b2)) === "completed", 15_000)
    expect(await stateOf(c)).toBe("failed")
    const rest = await server.fetch("/jobs/retry-failed", { method: "POST", headers: auth })
    expect(await readAnswer(rest)).toEqual({ replayed: 1 })
    await waitFor("job C", async () => (await stateOf(c)) === "completed", 15_000)
    acceptPoison = false
  })

  test("the dashboard's retry buttons replay a failed job, and all failed jobs", async () => {
    const basic = { authorization: `Basic ${Buffer.from(`${TEST_ADMIN.user}:${TEST_ADMIN.pass}`).toString("base64")}` }
    const ids = await jobIdsOf(await server.enqueue({ actions: [{ name: "POISON_D" }, { name: "POISON_E" }, { name: "POISON_E" }] }))
    await waitFor("three failures", async () => (await Promise.all(ids.map(stateOf))).every((s) => s === "failed"), 15_000)
    acceptPoison = true
    const [d, ...others] = ids
    const one = await server.fetch(`/admin/queues/api/queues/webhooks/${d}/retry`, { method: "PUT", headers: basic })
    expect(one.status).toBeLessThan(300)
    await waitFor("D delivered", async () => (await stateOf(d ?? "")) === "completed", 15_000)
    expect(await Promise.all(others.map(stateOf))).toEqual(["failed", "failed"])
    const all = await server.fetch("/admin/queues/api/queues/webhooks/retry/failed", { method: "PUT", headers: basic })
    expect(all.status).toBeLessThan(300)
    await waitFor("E delivered", async () => (await Promise.all(others.map(stateOf))).every((s) => s === "completed"), 15_000)
    acceptPoison = false
  })

  test("Idempotency-Key: sequential and concurrent repeats enqueue once; another body is a 409", async () => {
    const body = { actions: [{ name: "SYNC", params: { batch: 1 } }, { name: "SYNC", params: { batch: 2 } }] }
    const key = { "idempotency-key": `device-42:${Date.now()}` }
    const answers = await Promise.all(Array.from({ length: 8 }, () => server.enqueue(body, key)))
    const statuses = answers.map((a) => a.status).sort()
    expect(statuses.filter((s) => s === 202)).toHaveLength(1)
    expect(statuses.every((s) => s === 202 || s === 200)).toBe(true)
    const idSets = await Promise.all(answers.map(jobIdsOf))
    expect(new Set(idSets.map((ids) => ids.join()))).toHaveLength(1)
    const later = await server.enqueue(body, key)
    expect(later.status).toBe(200)
    expect(await readAnswer(later)).toEqual({ duplicate: true, queued: 2, jobIds: idSets[0] })
    const conflict = await server.enqueue({ actions: [{ name: "SYNC", params: { batch: 3 } }] }, key)
    expect(conflict.status).toBe(409)
    const ids = idSets[0] ?? []
    await waitFor("the two deliveries", () => ids.every((id) => of(id).length === 1), 15_000)
    await sleep(300)
    expect(arrivals.filter((a) => JSON.parse(a.body).name === "SYNC")).toHaveLength(2)
  })

  test("a delayed action survives a server restart, is not delivered early, and shows as delayed", async () => {
    const sentAt = Date.now()
    const [id] = await jobIdsOf(await server.enqueue({ actions: [{ name: "LATER", params: {}, delayMs: 2_500 }] }))
    if (id === undefined) throw new Error("no id")
    const view = await job(id)
    expect(view.state).toBe("delayed")
    expect(Date.parse(String(view.deliverAfter))).toBeGreaterThanOrEqual(sentAt + 2_400)
    const basic = `Basic ${Buffer.from(`${TEST_ADMIN.user}:${TEST_ADMIN.pass}`).toString("base64")}`
    const board = await readAnswer(await server.fetch("/admin/queues/api/queues?activeQueue=webhooks&status=delayed", { headers: { authorization: basic } }))
    expect(JSON.stringify(board)).toContain(id)

    expect(await server.stop("SIGKILL")).not.toBe(0)
    server = await startServer(env())
    await waitFor("the delayed delivery", () => of(id).length > 0, 15_000)
    expect((of(id)[0]?.at ?? 0) - sentAt).toBeGreaterThanOrEqual(2_500)
    await sleep(300)
    expect(of(id)).toHaveLength(1)
  })
})
