import { afterAll, beforeAll, expect, test } from "bun:test"
import { Schema } from "effect"
import { makeTestApi } from "./support/api.ts"
import { sampleOf } from "./support/prometheus.ts"

let api: Awaited<ReturnType<typeof makeTestApi>>

beforeAll(async () => {
  api = await makeTestApi()
})

afterAll(() => api.close())

const scrape = async () => (await api.request("/metrics")).text()

test("/metrics counts accepted actions, not refused or repeated ones, and reads the queue at scrape time", async () => {
  expect((await api.enqueue({ actions: [{ name: "A" }, { name: "B" }] })).status).toBe(202)
  expect((await api.enqueue({ actions: [] })).status).toBe(400)
  const key = { "idempotency-key": "metrics-1" }
  expect((await api.enqueue({ actions: [{ name: "C" }] }, key)).status).toBe(202)
  expect((await api.enqueue({ actions: [{ name: "C" }] }, key)).status).toBe(200)
  const metrics = await scrape()
  expect(sampleOf(metrics, "nexora_enqueued_actions_total")).toBe(3)
  expect(sampleOf(metrics, "nexora_queue_jobs", { state: "waiting" })).toBe(3)
  for (const outcome of ["success", "retry", "failed"]) expect(sampleOf(metrics, "nexora_deliveries_total", { outcome })).toBe(0)
})

test("while the queue is unavailable, /metrics still answers, without the queue gauges", async () => {
  api.state.available = false
  const res = await api.request("/metrics")
  api.state.available = true
  expect(res.status).toBe(200)
  const metrics = await res.text()
  expect(sampleOf(metrics, "nexora_queue_jobs", { state: "waiting" })).toBeUndefined()
  expect(sampleOf(metrics, "nexora_enqueued_actions_total")).toBe(3)
})

const Dashboard = Schema.Struct({
  panels: Schema.Array(Schema.Struct({ title: Schema.String, targets: Schema.Array(Schema.Struct({ expr: Schema.String })) }))
})

test("the example Grafana dashboard queries only metrics the server exposes", async () => {
  const dashboard = Schema.decodeUnknownSync(Schema.parseJson(Dashboard))(await Bun.file(`${import.meta.dir}/../examples/grafana/nexora-queue.json`).text())
  const exposed = new Set((await scrape()).split("\n").flatMap((line) => (line.startsWith("#") ? [] : [line.split(/[{ ]/, 1)[0]])))
  const queried = dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => target.expr.match(/\b(?:nexora|process|nodejs)_\w+/g) ?? []))
  expect(queried.length).toBeGreaterThan(5)
  for (const name of queried) expect([...exposed]).toContain(name)
})
