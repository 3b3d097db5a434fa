import { createHmac } from "node:crypto"
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import type { Queue } from "bullmq"
import { Webhook } from "standardwebhooks"
import { jobIdsOf, readAnswer } from "./answer.ts"
import { waitFor } from "./ports.ts"
import { sampleOf } from "./prometheus.ts"
import { type Received, startReceiver } from "./receiver.ts"
import { startServer, TEST_ADMIN, TEST_SECRET, TEST_TOKEN, type TestServer } from "./server.ts"

/** Where the suite's Redis lives: a single server or a cluster. */
export interface Backend {
  /** What the server needs to reach it (`REDIS_URL` or `REDIS_CLUSTER_NODES`). */
  readonly env: Record<string, string>
  /** A BullMQ queue on the same Redis and prefix, to look at jobs directly. */
  readonly queue: Queue
  dispose(): Promise<void>
}

/** The core delivery suite: enqueue, sign, deliver, retry, fail, the jobs API, idempotency, dashboard, metrics. */
export const deliverySuite = (title: string, startBackend: () => Promise<Backend>) => {
  let backend: Backend
  let server: TestServer
  let queue: Queue
  const receiver = startReceiver((request) => {
    const { name } = JSON.parse(request.body) as { name: string }
    if (name === "REJECT") return new Response("unknown product", { status: 400 })
    if (name === "FLAKY") {
      const seen = receiver.received.filter((r) => r.headers["webhook-id"] === request.headers["webhook-id"]).length
      if (seen <= 2) return new Response("busy", { status: 503 })
    }
    return new Response(null, { status: 204 })
  })

  beforeAll(async () => {
    backend = await startBackend()
    queue = backend.queue
    server = await startServer({ ...backend.env, DEFAULT_TARGET_URL: receiver.url, BACKOFF_DELAY_MS: "50", MAX_ATTEMPTS: "5" })
  })

  afterAll(async () => {
    await queue?.close()
    await server?.stop()
    await receiver.stop()
    await backend?.dispose()
  })

  const jobCount = async () => {
    const counts = await queue.getJobCounts("waiting", "active", "delayed", "completed", "failed", "prioritized")
    return Object.values(counts).reduce((a, b) => a + b, 0)
  }

  const arrivalsOf = (id: string): Array<Received> => receiver.received.filter((r) => r.headers["webhook-id"] === id)
  const verifier = new Webhook(Buffer.from(TEST_SECRET, "utf8").toString("base64"))

  const auth = { authorization: `Bearer ${TEST_TOKEN}` }

  describe(title, () => {
    test("300 actions in two requests each arrive once, intact, with valid signatures", async () => {
      const actions = Array.from({ length: 300 }, (_, i) => ({
        name: "CREATE_ORDER",
        params: { n: i, tenantId: `t_${i % 7}`, note: i % 3 === 0 ? "crème brûlée ✓ 注文" : null, lines: [{ sku: `S${i}`, qty: i % 5 }] }
      }))
      const answers = await Promise.all([server.enqueue({ actions: actions.slice(0, 150) }), server.enqueue({ actions: actions.slice(150) })])
      expect(answers.map((a) => a.status)).toEqual([202, 202])
      const jobIds = (await Promise.all(answers.map(jobIdsOf))).flat()
      expect(new Set(jobIds).size).toBe(300)

      await waitFor("300 deliveries", () => jobIds.every((id) => arrivalsOf(id).length > 0), 30_000)
      jobIds.forEach((id, i) => {
        const arrivals = arrivalsOf(id)
        expect(arrivals).toHaveLength(1)
        const [arrival] = arrivals
        if (arrival === undefined) return
        expect(JSON.parse(arrival.body)).toEqual(actions[i])
        expect(arrival.body).toBe(JSON.stringify(actions[i]))
        expect(arrival.headers["content-type"]).toBe("application/json")
        expect(arrival.headers["user-agent"]).toMatch(/^nexora-queue\/\d+\.\d+\.\d+/)
        expect(arrival.headers["nexora-attempt"]).toBe("1")
        expect(arrival.headers["nexora-signature"]).toBe(createHmac("sha256", TEST_SECRET).update(arrival.body).digest("hex"))
        expect(verifier.verify(arrival.body, arrival.headers)).toEqual(actions[i] as object)
      })
    })

    test("a receiver that answers 503 twice and then 200 sees exactly three attempts, one webhook-id", async () => {
      const res = await server.enqueue({ actions: [{ name: "FLAKY", params: { x: 1 } }] })
      const [id] = await jobIdsOf(res)
      if (id === undefined) throw new Error("no job id")
      await waitFor("the job to complete", async () => (await queue.getJob(id))?.finishedOn !== undefined, 20_000)
      const arrivals = arrivalsOf(id)
      expect(arrivals.map((a) => a.headers["nexora-attempt"])).toEqual(["1", "2", "3"])
      expect(new Set(arrivals.map((a) => a.body)).size).toBe(1)
      expect(await (await queue.getJob(id))?.getState()).toBe("completed")
    })

    test("a 400 from the receiver is not retried: failed at once, with the reason kept", async () => {
      const res = await server.enqueue({ actions: [{ name: "REJECT", params: {} }] })
      const [id] = await jobIdsOf(res)
      if (id === undefined) throw new Error("no job id")
      await waitFor("the job to fail", async () => (await queue.getJob(id))?.finishedOn !== undefined, 20_000)
      const job = await queue.getJob(id)
      expect(await job?.getState()).toBe("failed")
      expect(job?.failedReason).toContain("HTTP 400")
      expect(job?.failedReason).toContain("unknown product")
      expect(arrivalsOf(id)).toHaveLength(1)
    })

    test("wrong, missing and near-miss tokens get 401 and queue nothing", async () => {
      const before = await jobCount()
      const body = JSON.stringify({ actions: [{ name: "A" }] })
      for (const authorization of [undefined, "Bearer wrong", `Bearer ${TEST_TOKEN.slice(1)}`, `Bearer ${TEST_TOKEN}0`, TEST_TOKEN]) {
        const res = await server.fetch("/enqueue", {
          method: "POST",
          headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
          body
        })
        expect(res.status).toBe(401)
        expect(res.headers.get("www-authenticate")).toStartWith("Bearer")
        expect((await readAnswer(res)).error).toBe("Unauthorized")
      }
      expect(await jobCount()).toBe(before)
    })

    test("malformed bodies get 400 with a message, and the server keeps serving", async () => {
      const before = await jobCount()
      for (const body of ["{", "not json", "{\"actions\":[{\"name\":\"\"}]}", "{\"actions\":[]}", "\u0000\u0001"]) {
        const res = await server.enqueue(body)
        expect(res.status).toBe(400)
        const answer = await readAnswer(res)
        expect(answer.error).toBe("BadRequest")
        expect(answer.message?.length).toBeGreaterThan(0)
      }
      expect(await jobCount()).toBe(before)
      expect((await server.enqueue({ actions: [{ name: "STILL_HERE" }] })).status).toBe(202)
    })

    test("the dashboard answers 401 without credentials on its page and its API, 200 with them", async () => {
      const basic = `Basic ${Buffer.from(`${TEST_ADMIN.user}:${TEST_ADMIN.pass}`).toString("base64")}`
      const wrong = `Basic ${Buffer.from(`${TEST_ADMIN.user}:nope`).toString("base64")}`
      for (const path of ["/admin/queues", "/admin/queues/", "/admin/queues/api/queues"]) {
        const anonymous = await server.fetch(path)
        expect(anonymous.status).toBe(401)
        expect(anonymous.headers.get("www-authenticate")).toStartWith("Basic")
        expect((await server.fetch(path, { headers: { authorization: wrong } })).status).toBe(401)
        expect((await server.fetch(path, { headers: { authorization: basic } })).status).toBe(200)
      }
      const queues = await (await server.fetch("/admin/queues/api/queues", { headers: { authorization: basic } })).json()
      expect(JSON.stringify(queues)).toContain("webhooks")
    })
    test("GET /jobs/:id shows a failed job with its reason; POST /jobs/:id/retry replays it with the same webhook-id", async () => {
      const [id] = await jobIdsOf(await server.enqueue({ actions: [{ name: "REJECT", params: { again: true } }] }))
      if (id === undefined) throw new Error("no job id")
      const stateOf = async () => (await readAnswer(await server.fetch(`/jobs/${id}`, { headers: auth }))).state
      await waitFor("the job to fail", async () => (await stateOf()) === "failed", 20_000)
      const view = await readAnswer(await server.fetch(`/jobs/${id}`, { headers: auth }))
      expect(view.failedReason).toContain("HTTP 400")
      expect((await server.fetch(`/jobs/${id}/retry`, { method: "POST", headers: auth })).status).toBe(202)
      await waitFor("the replayed attempt", () => arrivalsOf(id).length === 2, 20_000)
      await waitFor("the job to fail again", async () => (await stateOf()) === "failed", 20_000)
      expect(new Set(arrivalsOf(id).map((a) => a.headers["webhook-id"]))).toEqual(new Set([id]))
    })

    test("a repeated Idempotency-Key answers the first ids and queues nothing new", async () => {
      const body = { actions: [{ name: "ONCE", params: { n: 1 } }] }
      const key = { "idempotency-key": `suite-${Date.now()}` }
      const first = await server.enqueue(body, key)
      expect(first.status).toBe(202)
      const ids = await jobIdsOf(first)
      const again = await server.enqueue(body, key)
      expect(again.status).toBe(200)
      expect(await readAnswer(again)).toEqual({ duplicate: true, queued: 1, jobIds: ids })
      await waitFor("the delivery", () => ids.every((id) => arrivalsOf(id).length === 1), 20_000)
      expect(receiver.received.filter((r) => r.body.includes("ONCE"))).toHaveLength(1)
    })

    test("/readyz and /metrics answer from this Redis", async () => {
      expect((await server.fetch("/readyz")).status).toBe(200)
      const metrics = await (await server.fetch("/metrics")).text()
      expect(sampleOf(metrics, "nexora_enqueued_actions_total")).toBeGreaterThan(300)
      expect(sampleOf(metrics, "nexora_queue_jobs", { state: "completed" })).toBeGreaterThan(300)
      expect(sampleOf(metrics, "nexora_deliveries_total", { outcome: "success" })).toBeGreaterThan(300)
    })
  })
}
