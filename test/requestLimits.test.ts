import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import type { Queue } from "bullmq"
import { makeTestApi } from "./support/api.ts"
import { readAnswer } from "./support/answer.ts"
import { chunked, exchange, slices } from "./support/rawHttp.ts"
import { openQueue } from "./support/queue.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { startServer, TEST_TOKEN, type TestServer } from "./support/server.ts"

const MAX_BODY_BYTES = 2048
let redis: TestRedis
let server: TestServer
let queue: Queue

beforeAll(async () => {
  redis = await startRedis()
  server = await startServer({
    REDIS_URL: redis.url,
    ROLE: "api",
    DEFAULT_TARGET_URL: "http://127.0.0.1:9/hook",
    MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    MAX_ACTIONS_PER_REQUEST: "5"
  })
  queue = openQueue(redis)
})

afterAll(async () => {
  await server?.stop()
  await queue?.close()
  await redis?.dispose()
})

const queuedCount = () => queue.getJobCountByTypes("waiting", "delayed", "active", "prioritized")

const head = (extra: ReadonlyArray<string>) =>
  ["POST /enqueue HTTP/1.1", "Host: localhost", "Connection: close", `Authorization: Bearer ${TEST_TOKEN}`, "Content-Type: application/json", ...extra, "", ""].join("\r\n")

const small = JSON.stringify({ actions: [{ name: "CREATE_ORDER", params: { total: 45 } }] })
/** Valid JSON of the schema, three times the limit. */
const big = JSON.stringify({ actions: [{ name: "CREATE_ORDER", params: { note: "x".repeat(3 * MAX_BODY_BYTES) } }] })

describe("MAX_BODY_BYTES holds whatever Content-Length says (raw sockets)", () => {
  test("honest Content-Length under the limit: accepted", async () => {
    const before = await queuedCount()
    const { statuses } = await exchange(server.port, head([`Content-Length: ${small.length}`]), [small])
    expect(statuses).toEqual([202])
    expect(await queuedCount()).toBe(before + 1)
  })

  test("honest Content-Length over the limit: 413 on the headers alone, before any of the body is sent", async () => {
    const before = await queuedCount()
    const { statuses, text } = await exchange(server.port, head([`Content-Length: ${big.length}`]), [], { keepOpen: true })
    expect(statuses).toEqual([413])
    expect(text).toContain('{"error":"PayloadTooLarge","message":"the body is over 2048 bytes"}')
    expect(text.toLowerCase()).toContain("connection: close")
    expect(await queuedCount()).toBe(before)
  })

  test("Expect: 100-continue over the limit: 413 without inviting the body", async () => {
    const { statuses } = await exchange(server.port, head([`Content-Length: ${big.length}`, "Expect: 100-continue"]), [], { keepOpen: true })
    expect(statuses).toEqual([413])
  })

  test("Expect: 100-continue within the limit: invited, then accepted", async () => {
    const { statuses } = await exchange(server.port, head([`Content-Length: ${small.length}`, "Expect: 100-continue"]), [small])
    expect(statuses).toEqual([100, 202])
  })

  test("chunked encoding over the limit: 413 while reading, before the end of the body", async () => {
    const before = await queuedCount()
    const { statuses } = await exchange(server.port, head(["Transfer-Encoding: chunked"]), chunked(slices(big, 256)), {
      stopWhenAnswered: true,
      pauseMs: 10
    })
    expect(statuses).toEqual([413])
    expect(await queuedCount()).toBe(before)
  })

  test("chunked encoding within the limit: accepted", async () => {
    const { statuses } = await exchange(server.port, head(["Transfer-Encoding: chunked"]), chunked(slices(small, 10)))
    expect(statuses).toEqual([202])
  })

  test("lying Content-Length, smaller than the body: only the declared bytes are the body, and they are refused", async () => {
    const before = await queuedCount()
    const { statuses, text } = await exchange(server.port, head(["Content-Length: 20"]), slices(big, 512), {
      stopWhenAnswered: true,
      pauseMs: 10
    })
    // The declared 20 bytes are cut-off JSON; what follows them is never read as part of this request.
    expect(statuses).toEqual([400])
    expect(text).toContain("the body is not valid JSON")
    expect(await queuedCount()).toBe(before)
  })

  test("absent Content-Length (and no chunked encoding): the request has no body, and is refused", async () => {
    const before = await queuedCount()
    const { statuses, text } = await exchange(server.port, head([]), slices(big, 512), { stopWhenAnswered: true, pauseMs: 10 })
    expect(statuses).toEqual([400])
    expect(text).toContain("the body is empty")
    expect(await queuedCount()).toBe(before)
  })

  test("lying Content-Length, larger than the body: the request never completes and nothing is queued", async () => {
    const before = await queuedCount()
    const { statuses } = await exchange(server.port, head(["Content-Length: 2000"]), [small])
    // The server waits for the rest; when the client gives up sending, the cut-off request is refused.
    expect(statuses).toEqual([400])
    expect(await queuedCount()).toBe(before)
  })

  test("Content-Length and Transfer-Encoding together, or two Content-Lengths: 400 (no request smuggling)", async () => {
    const before = await queuedCount()
    // Refused on the headers: nothing more is sent, so the answer cannot be lost to a reset while writing.
    const both = await exchange(server.port, head([`Content-Length: 5`, "Transfer-Encoding: chunked"]), [], { keepOpen: true })
    const twice = await exchange(server.port, head(["Content-Length: 5", `Content-Length: ${small.length}`]), [], { keepOpen: true })
    expect([both.statuses[0], twice.statuses[0]]).toEqual([400, 400])
    expect(await queuedCount()).toBe(before)
  })

  test("the server still serves after all of the above", async () => {
    expect((await server.fetch("/healthz")).status).toBe(200)
    expect((await server.enqueue(small)).status).toBe(202)
  })
})

describe("other request limits over HTTP", () => {
  test("MAX_ACTIONS_PER_REQUEST: one more is 400 and queues nothing; exactly the limit is accepted", async () => {
    const before = await queuedCount()
    const six = await server.enqueue({ actions: Array.from({ length: 6 }, (_, i) => ({ name: `A${i}` })) })
    expect(six.status).toBe(400)
    expect(await readAnswer(six)).toEqual({ error: "BadRequest", message: "actions holds 6 actions; the limit is 5" })
    expect(await queuedCount()).toBe(before)
    expect((await server.enqueue({ actions: Array.from({ length: 5 }, (_, i) => ({ name: `A${i}` })) })).status).toBe(202)
  })

  test("params over the body limit: 413", async () => {
    const response = await server.enqueue(big)
    expect(response.status).toBe(413)
    expect((await readAnswer(response)).error).toBe("PayloadTooLarge")
  })

  test.each([
    ["text/plain", 415],
    ["application/x-www-form-urlencoded", 415],
    ["multipart/form-data; boundary=x", 415],
    ["application/jsonx", 415],
    ["", 415],
    ["application/json; charset=utf-8", 202],
    ["application/vnd.api+json", 202]
  ])("Content-Type %p: %d", async (contentType, status) => {
    const response = await fetch(`${server.url}/enqueue`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": contentType },
      body: small
    })
    expect(response.status).toBe(status)
  })
})

describe("hostile params, in process", () => {
  let api: Awaited<ReturnType<typeof makeTestApi>>
  beforeAll(async () => {
    api = await makeTestApi()
  })
  afterAll(() => api.close())

  const nested = (depth: number): unknown => {
    let value: unknown = 1
    for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { v: value }
    return value
  }

  test("params nested 32 levels are accepted; 33 are refused with a message naming the field", async () => {
    expect((await api.enqueue({ actions: [{ name: "A", params: nested(32) }] })).status).toBe(202)
    const response = await api.enqueue({ actions: [{ name: "A", params: nested(33) }] })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: "BadRequest",
      message: "the body does not match the schema",
      issues: [{ path: "actions.0.params", message: "params must not nest deeper than 32 levels" }]
    })
  })

  test("JSON nested hundreds of thousands deep is a clear 400, not a crash", async () => {
    const before = api.state.jobs.length
    for (const body of ["[".repeat(400_000) + "]".repeat(400_000), `{"actions":[{"name":"A","params":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}]}`]) {
      const response = await api.enqueue(body)
      expect(response.status).toBe(400)
      expect(await readAnswer(response)).toEqual({ error: "BadRequest", message: "the body nests deeper than 64 levels (params may nest 32)" })
    }
    expect(api.state.jobs.length).toBe(before)
  })

  test("a refused value is not echoed back at length, and a thousand bad actions give a bounded answer", async () => {
    const long = await api.enqueue({ actions: "x".repeat(500_000) })
    const longText = await long.text()
    expect(long.status).toBe(400)
    expect(longText.length).toBeLessThan(1_000)
    const many = await api.enqueue({ actions: Array.from({ length: 1_000 }, () => ({ name: "" })) })
    const { issues = [] } = await readAnswer(many)
    expect(many.status).toBe(400)
    expect(issues).toHaveLength(20)
    expect(issues[0]).toEqual({ path: "actions.0.name", message: "name must not be empty" })
  })

  test("wide params (50,000 keys) within the limit are accepted as data", async () => {
    const params = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]))
    expect((await api.enqueue({ actions: [{ name: "A", params }] })).status).toBe(202)
  })

  test("a body that is not UTF-8 is 400", async () => {
    const response = await api.request("/enqueue", {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" },
      body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])
    })
    expect(response.status).toBe(400)
    expect((await readAnswer(response)).message).toBe("the body is not valid UTF-8")
  })
})
