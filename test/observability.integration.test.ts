import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { jobIdsOf } from "./support/answer.ts"
import { byWebhookId } from "./support/arrivals.ts"
import { attemptLines, logLines } from "./support/logs.ts"
import { sleep, waitFor } from "./support/ports.ts"
import { sampleOf } from "./support/prometheus.ts"
import { startReceiver } from "./support/receiver.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { startServer, TEST_SECRET, TEST_TOKEN, type TestServer } from "./support/server.ts"

const MARKER = "payload-that-must-not-be-logged-4e1d"

let redis: TestRedis
let server: TestServer
let api: TestServer
/** What the receiver answered, in order: OK 204; FLAKY 503 then 204; REJECT 400; DOWN always 503. */
const answers: Array<number> = []
const receiver = startReceiver((request) => {
  const { name } = JSON.parse(request.body) as { name: string }
  const seen = receiver.received.filter((r) => r.headers["webhook-id"] === request.headers["webhook-id"]).length
  const status = name === "REJECT" ? 400 : name === "DOWN" || (name === "FLAKY" && seen === 1) ? 503 : 204
  answers.push(status)
  return new Response(status === 204 ? null : "no", { status })
})

const actions = [
  ...Array.from({ length: 10 }, (_, i) => ({ name: "OK", params: { i, note: MARKER } })),
  ...Array.from({ length: 3 }, () => ({ name: "FLAKY", params: { note: MARKER } })),
  ...Array.from({ length: 2 }, () => ({ name: "REJECT", params: { note: MARKER } })),
  { name: "DOWN", params: { note: MARKER } }
]

beforeAll(async () => {
  redis = await startRedis()
  const env = { REDIS_URL: redis.url, DEFAULT_TARGET_URL: receiver.url, BACKOFF_DELAY_MS: "50", MAX_ATTEMPTS: "3" }
  ;[server, api] = await Promise.all([startServer(env), startServer({ ...env, ROLE: "api" })])
  const ids = await jobIdsOf(await server.enqueue({ actions }))
  // 10 + 3x2 + 2 + 3 attempts; then every job has finished.
  await waitFor("21 attempts", () => receiver.received.length >= 21, 30_000)
  await waitFor("every job finished", async () => {
    const metrics = await (await server.fetch("/metrics")).text()
    return (sampleOf(metrics, "nexora_queue_jobs", { state: "completed" }) ?? 0) + (sampleOf(metrics, "nexora_queue_jobs", { state: "failed" }) ?? 0) === ids.length
  }, 15_000)
  await sleep(200)
})

afterAll(async () => {
  await Promise.all([server?.stop(), api?.stop()])
  await receiver.stop()
  await redis?.dispose()
})

describe("/metrics", () => {
  test("counts match what the receiver saw, in Prometheus text with the process's default metrics", async () => {
    const res = await server.fetch("/metrics")
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toStartWith("text/plain; version=0.0.4")
    const metrics = await res.text()
    const answered = (ok: (status: number) => boolean) => answers.filter(ok).length
    expect(receiver.received).toHaveLength(21)
    expect(sampleOf(metrics, "nexora_enqueued_actions_total")).toBe(actions.length)
    expect(sampleOf(metrics, "nexora_deliveries_total", { outcome: "success" })).toBe(answered((s) => s < 300))
    // Retried: FLAKY's first 503 and DOWN's first two; failed: the two 400s and DOWN's last 503.
    expect(sampleOf(metrics, "nexora_deliveries_total", { outcome: "retry" })).toBe(3 + 2)
    expect(sampleOf(metrics, "nexora_deliveries_total", { outcome: "failed" })).toBe(2 + 1)
    expect(sampleOf(metrics, "nexora_delivery_duration_seconds_count")).toBe(receiver.received.length)
    expect(sampleOf(metrics, "nexora_delivery_duration_seconds_bucket", { le: "+Inf" })).toBe(receiver.received.length)
    expect(sampleOf(metrics, "nexora_queue_jobs", { state: "completed" })).toBe(13)
    expect(sampleOf(metrics, "nexora_queue_jobs", { state: "failed" })).toBe(3)
    for (const state of ["waiting", "active", "delayed"]) expect(sampleOf(metrics, "nexora_queue_jobs", { state })).toBe(0)
    expect(sampleOf(metrics, "process_cpu_user_seconds_total")).toBeGreaterThan(0)
    expect(sampleOf(metrics, "process_resident_memory_bytes")).toBeGreaterThan(0)
  })

  test("the queue gauges are read from Redis: another process reports the same, its own counters stay at 0", async () => {
    const [mine, other] = await Promise.all([server, api].map(async (s) => (await s.fetch("/metrics")).text()))
    for (const state of ["waiting", "active", "delayed", "failed", "completed"]) {
      expect(sampleOf(other ?? "", "nexora_queue_jobs", { state })).toBe(sampleOf(mine ?? "", "nexora_queue_jobs", { state }))
    }
    expect(sampleOf(other ?? "", "nexora_enqueued_actions_total")).toBe(0)
    expect(sampleOf(other ?? "", "nexora_deliveries_total", { outcome: "success" })).toBe(0)
  })
})

describe("logs", () => {
  test("one JSON line per delivery attempt with job id, attempt, status and duration; no payload, no secret", () => {
    const output = server.output()
    const lines = attemptLines(output)
    expect(lines).toHaveLength(receiver.received.length)
    const arrivals = byWebhookId(receiver.received)
    for (const [id, group] of arrivals) {
      const mine = lines.filter((line) => line.annotations.jobId === id)
      expect(mine.map((line) => line.annotations.attempt)).toEqual(group.map((_, i) => i + 1))
      for (const line of mine) {
        expect(line.logLevel).toBe("INFO")
        expect(typeof line.annotations.status).toBe("number")
        expect(typeof line.annotations.durationMs).toBe("number")
        expect(["Delivered", "Retryable", "Permanent"]).toContain(String(line.annotations.outcome))
      }
    }
    expect(lines.map((line) => line.annotations.status).sort()).toEqual([...answers].sort())
    // Every line the process printed is JSON, and none carries a payload or a secret.
    const printed = output.split("\n").filter((line) => line.trim().length > 0)
    expect(logLines(output)).toHaveLength(printed.length)
    for (const needle of [MARKER, "params", TEST_SECRET, TEST_TOKEN]) expect(output).not.toContain(needle)
  })
})
