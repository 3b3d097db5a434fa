import { afterAll, describe, expect, test } from "bun:test"
import { makeTestApi } from "./support/api.ts"

type TestApi = Awaited<ReturnType<typeof makeTestApi>>

interface Answer {
  readonly status: number
  readonly body: unknown
  readonly challenge: string | null
  readonly contentType: string | null
}

const action = { name: "CREATE_ORDER", params: { data: { total: 45 }, tenantId: "t_123" } }

/** Every kind of answer `/enqueue` gives, in an order where the idempotency cases build on each other. */
const script: ReadonlyArray<{
  readonly name: string
  readonly body: unknown
  readonly headers?: Record<string, string>
  readonly outage?: true
}> = [
  { name: "one action", body: { actions: [action] } },
  { name: "a delayed action to an allowed target", body: { actions: [action, { name: "LATER", delayMs: 60_000 }], targetUrl: "https://app.example.com/other" } },
  { name: "no token", body: { actions: [action] }, headers: { authorization: "" } },
  { name: "a wrong token", body: { actions: [action] }, headers: { authorization: "Bearer wrong-token" } },
  { name: "another scheme", body: { actions: [action] }, headers: { authorization: "Token abc" } },
  { name: "not JSON", body: "{not json" },
  { name: "an empty body", body: "" },
  { name: "not application/json", body: { actions: [action] }, headers: { "content-type": "text/plain" } },
  { name: "no actions field", body: { action } },
  { name: "fields of the wrong shape", body: { actions: [{ name: "", params: 1 }, { name: 7 }] } },
  { name: "no action", body: { actions: [] } },
  { name: "more actions than allowed", body: { actions: [action, action, action, action] } },
  { name: "a target not allowed", body: { actions: [action], targetUrl: "https://elsewhere.example.net/hook" } },
  { name: "a target not http(s)", body: { actions: [action], targetUrl: "ftp://app.example.com/x" } },
  { name: "a new Idempotency-Key", body: { actions: [action] }, headers: { "idempotency-key": "k-1" } },
  { name: "the same key and body", body: { actions: [action] }, headers: { "idempotency-key": "k-1" } },
  { name: "the same key, another body", body: { actions: [action, action] }, headers: { "idempotency-key": "k-1" } },
  { name: "a key too long", body: { actions: [action] }, headers: { "idempotency-key": "x".repeat(201) } },
  { name: "the queue unavailable", body: { actions: [action] }, outage: true }
]

const normalized = (body: unknown): unknown =>
  typeof body === "object" && body !== null && "jobIds" in body && Array.isArray(body.jobIds)
    ? { ...body, jobIds: body.jobIds.map(() => "<id>") }
    : body

const play = async (api: TestApi, send: (body: unknown, headers: Record<string, string>) => Promise<Answer>) => {
  const answers: Array<Answer> = []
  for (const step of script) {
    api.state.available = step.outage !== true
    answers.push(await send(step.body, step.headers ?? {}))
  }
  return answers
}

const viaHttpApi = await makeTestApi({ maxActionsPerRequest: 3 })
const viaDirect = await makeTestApi({ maxActionsPerRequest: 3 })
afterAll(() => Promise.all([viaHttpApi.close(), viaDirect.close()]))

const throughHttpApi = await play(viaHttpApi, async (body, headers) => {
  const response = await viaHttpApi.enqueue(body, headers)
  const text = await response.text()
  return {
    status: response.status,
    body: normalized(text.length > 0 ? JSON.parse(text) : text),
    challenge: response.headers.get("www-authenticate"),
    contentType: response.headers.get("content-type")
  }
})
const throughDirect = await play(viaDirect, async (body, headers) => {
  const answer = await viaDirect.enqueueDirect(body, headers)
  return {
    status: answer.status,
    body: normalized(answer.body.length > 0 ? JSON.parse(answer.body) : answer.body),
    challenge: answer.headers["www-authenticate"] ?? null,
    contentType: answer.headers["content-type"] ?? null
  }
})

describe("POST /enqueue answers the same through the listener's direct route as through the HttpApi", () => {
  test("the script covers every status the endpoint declares", () => {
    expect([...new Set(throughHttpApi.map((answer) => answer.status))].sort()).toEqual([200, 202, 400, 401, 403, 409, 415, 503])
  })

  script.forEach((step, i) => {
    test(step.name, () => {
      expect(throughDirect[i]).toEqual(throughHttpApi[i])
    })
  })

  test("both stored the same jobs", () => {
    const stored = (api: TestApi) => api.state.jobs.map(({ name, params, targetUrl, delayMs, state }) => ({ name, params, targetUrl, delayMs, state }))
    expect(stored(viaDirect)).toEqual(stored(viaHttpApi))
    expect(viaDirect.state.jobs.length).toBeGreaterThan(0)
  })
})
