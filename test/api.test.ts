import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { makeTestApi } from "./support/api.ts"
import { readAnswer } from "./support/answer.ts"
import { TEST_TOKEN } from "./support/server.ts"

let api: Awaited<ReturnType<typeof makeTestApi>>
beforeAll(async () => {
  api = await makeTestApi({ maxActionsPerRequest: 5, maxBodyBytes: 10_000 })
})
afterAll(() => api.close())

const action = { name: "CREATE_ORDER", params: { data: { total: 45 }, tenantId: "t_123" } }

describe("POST /enqueue", () => {
  test("queues every action and answers 202 with ids in order", async () => {
    const before = api.state.jobs.length
    const res = await api.enqueue({ actions: [action, { name: "PAY", params: 3, delayMs: 500 }] })
    expect(res.status).toBe(202)
    const body = await readAnswer(res)
    expect(body.queued).toBe(2)
    expect(body.jobIds).toEqual(api.state.jobs.slice(before).map((j) => j.id))
    expect(api.state.jobs.slice(before).map((j) => [j.name, j.params, j.delayMs, j.targetUrl])).toEqual([
      ["CREATE_ORDER", action.params, undefined, "https://app.example.com/api/process-queue"],
      ["PAY", 3, 500, "https://app.example.com/api/process-queue"]
    ])
  })

  test("params default to null; targetUrl on an allowed origin is kept", async () => {
    const res = await api.enqueue({ actions: [{ name: "PING" }], targetUrl: "https://app.example.com/other?x=1" })
    expect(res.status).toBe(202)
    const job = api.state.jobs.at(-1)
    expect(job?.params).toBeNull()
    expect(job?.targetUrl).toBe("https://app.example.com/other?x=1")
  })

  const rejected = async (res: Response, status: number, error: string) => {
    expect(res.status).toBe(status)
    const body = await readAnswer(res)
    expect(body.error).toBe(error)
    expect(typeof body.message).toBe("string")
    return body
  }

  test("401 for missing, malformed, wrong and near-miss tokens, with WWW-Authenticate; nothing queued", async () => {
    const before = api.state.jobs.length
    const body = JSON.stringify({ actions: [action] })
    const headerSets: Array<Record<string, string>> = [
      {},
      { authorization: "" },
      { authorization: TEST_TOKEN },
      { authorization: `Basic ${TEST_TOKEN}` },
      { authorization: `Bearer` },
      { authorization: `Bearer ${TEST_TOKEN}x` },
      { authorization: `Bearer ${TEST_TOKEN.slice(0, -1)}` },
      { authorization: `Bearer ${TEST_TOKEN.toUpperCase()}` },
      { authorization: `Bearer  ${TEST_TOKEN}` },
      { authorization: `XBearer ${TEST_TOKEN}` }
    ]
    for (const headers of headerSets) {
      const res = await api.request("/enqueue", { method: "POST", headers: { "content-type": "application/json", ...headers }, body })
      await rejected(res, 401, "Unauthorized")
      expect(res.headers.get("www-authenticate")).toStartWith("Bearer")
    }
    expect(api.state.jobs.length).toBe(before)
  })

  test("400 with a message for bodies that are not JSON or not of the schema; nothing queued", async () => {
    const before = api.state.jobs.length
    const bodies = [
      "",
      "{",
      "null",
      "[]",
      '"text"',
      "{}",
      JSON.stringify({ actions: [] }),
      JSON.stringify({ actions: {} }),
      JSON.stringify({ actions: [{}] }),
      JSON.stringify({ actions: [{ name: "" }] }),
      JSON.stringify({ actions: [{ name: "x".repeat(201) }] }),
      JSON.stringify({ actions: [{ name: 5 }] }),
      JSON.stringify({ actions: [{ name: "A", delayMs: -1 }] }),
      JSON.stringify({ actions: [{ name: "A", delayMs: 1.5 }] }),
      JSON.stringify({ actions: [{ name: "A", delay_ms: 5_000 }] }),
      JSON.stringify({ actions: [{ name: "A" }], target_url: "https://app.example.com/x" }),
      JSON.stringify({ actions: [{ name: "A" }], targetUrl: 42 }),
      JSON.stringify({ actions: [{ name: "A" }], targetUrl: "not a url" }),
      JSON.stringify({ actions: [{ name: "A" }], targetUrl: "ftp://app.example.com/x" }),
      JSON.stringify({ actions: Array.from({ length: 6 }, () => action) }),
      JSON.stringify({ actions: [{ name: "A", params: JSON.parse("[".repeat(40) + "]".repeat(40)) }] })
    ]
    for (const body of bodies) await rejected(await api.enqueue(body), 400, "BadRequest")
    expect(api.state.jobs.length).toBe(before)
  })

  test("400 names the fields at fault", async () => {
    const body = await rejected(await api.enqueue({ actions: [action, { name: "" }] }), 400, "BadRequest")
    expect(body.issues).toContainEqual({ path: "actions.1.name", message: "name must not be empty" })
  })

  test("403 for a targetUrl on an origin that is not allowed", async () => {
    const before = api.state.jobs.length
    await rejected(await api.enqueue({ actions: [action], targetUrl: "https://evil.example.com/x" }), 403, "Forbidden")
    await rejected(await api.enqueue({ actions: [action], targetUrl: "http://app.example.com/x" }), 403, "Forbidden")
    expect(api.state.jobs.length).toBe(before)
  })

  test("413 for a body over MAX_BODY_BYTES, 415 for another content type", async () => {
    const big = JSON.stringify({ actions: [{ name: "A", params: "x".repeat(20_000) }] })
    await rejected(await api.enqueue(big), 413, "PayloadTooLarge")
    await rejected(await api.enqueue(JSON.stringify({ actions: [action] }), { "content-type": "text/plain" }), 415, "UnsupportedMediaType")
  })

  test("503 while the queue is unavailable, and nothing is queued", async () => {
    const before = api.state.jobs.length
    api.state.available = false
    try {
      await rejected(await api.enqueue({ actions: [action] }), 503, "ServiceUnavailable")
      const ready = await api.request("/readyz")
      expect(ready.status).toBe(503)
    } finally {
      api.state.available = true
    }
    expect(api.state.jobs.length).toBe(before)
    expect((await api.request("/readyz")).status).toBe(200)
  })
})

describe("probes and unknown paths", () => {
  test("/healthz is 200; an unknown path is a 404 error body", async () => {
    expect((await api.request("/healthz")).status).toBe(200)
    const res = await api.request("/nope")
    expect(res.status).toBe(404)
    expect((await readAnswer(res)).error).toBe("NotFound")
  })
})
