import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { makeTestApi } from "./support/api.ts"
import { readAnswer } from "./support/answer.ts"
import { TEST_TOKEN } from "./support/server.ts"

let api: Awaited<ReturnType<typeof makeTestApi>>
beforeAll(async () => {
  api = await makeTestApi()
})
afterAll(() => api.close())

const auth = { authorization: `Bearer ${TEST_TOKEN}` }
const actions = [{ name: "CREATE_ORDER", params: { total: 45 } }, { name: "PAY", params: { amount: 45 } }]

describe("Idempotency-Key on /enqueue", () => {
  test("a repeat answers 200 with the first answer's ids and queues nothing", async () => {
    const first = await api.enqueue({ actions }, { "idempotency-key": "sync-1" })
    expect(first.status).toBe(202)
    const firstAnswer = await readAnswer(first)
    const count = api.state.jobs.length
    const again = await api.enqueue({ actions }, { "idempotency-key": "sync-1" })
    expect(again.status).toBe(200)
    expect(await readAnswer(again)).toEqual({ duplicate: true, queued: 2, jobIds: firstAnswer.jobIds })
    expect(api.state.jobs.length).toBe(count)
  })

  test("the same request written differently (key order, delayMs 0) is still a repeat", async () => {
    const first = await api.enqueue({ actions: [{ name: "A", params: { x: 1, y: { b: 2, a: 1 } } }] }, { "idempotency-key": "sync-order" })
    expect(first.status).toBe(202)
    const again = await api.enqueue({ actions: [{ params: { y: { a: 1, b: 2 }, x: 1 }, name: "A", delayMs: 0 }] }, { "idempotency-key": "sync-order" })
    expect(again.status).toBe(200)
    const changed = await api.enqueue({ actions: [{ name: "A", params: { x: 2, y: { a: 1, b: 2 } } }] }, { "idempotency-key": "sync-order" })
    expect(changed.status).toBe(409)
  })

  test("the same key with a different body is a 409 and queues nothing", async () => {
    await api.enqueue({ actions }, { "idempotency-key": "sync-2" })
    const count = api.state.jobs.length
    const res = await api.enqueue({ actions: actions.slice(1) }, { "idempotency-key": "sync-2" })
    expect(res.status).toBe(409)
    const answer = await readAnswer(res)
    expect(answer.error).toBe("Conflict")
    expect(answer.message).toContain("Idempotency-Key")
    expect(api.state.jobs.length).toBe(count)
  })

  test("a key over 200 characters is a 400", async () => {
    const res = await api.enqueue({ actions }, { "idempotency-key": "k".repeat(201) })
    expect(res.status).toBe(400)
  })
})

describe("/jobs", () => {
  test("needs the bearer token", async () => {
    for (const [path, method] of [["/jobs/x", "GET"], ["/jobs/x/retry", "POST"], ["/jobs/retry-failed", "POST"]] as const) {
      const res = await api.request(path, { method })
      expect(res.status).toBe(401)
      expect(res.headers.get("www-authenticate")).toStartWith("Bearer")
    }
  })

  test("GET /jobs/:id shows a job; an unknown id is a 404 error body", async () => {
    const [id] = (await readAnswer(await api.enqueue({ actions }))).jobIds ?? []
    const res = await api.request(`/jobs/${id}`, { headers: auth })
    expect(res.status).toBe(200)
    const job = await readAnswer(res)
    expect(job.id).toBe(id)
    expect(job.state).toBe("waiting")
    const missing = await api.request("/jobs/nope", { headers: auth })
    expect(missing.status).toBe(404)
    expect((await readAnswer(missing)).error).toBe("NotFound")
  })

  test("retry: 409 unless the job failed, 404 when unknown, 202 when failed", async () => {
    const [id] = (await readAnswer(await api.enqueue({ actions }))).jobIds ?? []
    const notFailed = await api.request(`/jobs/${id}/retry`, { method: "POST", headers: auth })
    expect(notFailed.status).toBe(409)
    expect((await readAnswer(notFailed)).error).toBe("Conflict")
    expect((await api.request("/jobs/nope/retry", { method: "POST", headers: auth })).status).toBe(404)
    const job = api.state.jobs.find((j) => j.id === id)
    if (job) job.state = "failed"
    const res = await api.request(`/jobs/${id}/retry`, { method: "POST", headers: auth })
    expect(res.status).toBe(202)
    expect(await readAnswer(res)).toEqual({ id, state: "waiting" })
  })

  test("retry-failed takes no body, or a filter; a bad filter is a 400", async () => {
    const all = await api.request("/jobs/retry-failed", { method: "POST", headers: auth })
    expect(all.status).toBe(202)
    expect(typeof (await readAnswer(all)).replayed).toBe("number")
    const filtered = await api.request("/jobs/retry-failed", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "PAY", from: "2026-01-01T00:00:00Z" })
    })
    expect(filtered.status).toBe(202)
    const bad = await api.request("/jobs/retry-failed", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ from: "yesterday-ish" })
    })
    expect(bad.status).toBe(400)
    expect((await readAnswer(bad)).issues?.[0]?.path).toBe("from")
    const typo = await api.request("/jobs/retry-failed", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ nam: "PAY" })
    })
    expect(typo.status).toBe(400)
    expect((await readAnswer(typo)).issues?.[0]?.path).toBe("nam")
  })
})
