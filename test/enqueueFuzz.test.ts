import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import type { Queue } from "bullmq"
import fc from "fast-check"
import { type FuzzLimits, judge } from "./support/enqueueOracle.ts"
import { fuzzRequest, type FuzzRequest } from "./support/fuzzRequests.ts"
import { makeTestApi, tableResolver } from "./support/api.ts"
import { openQueue } from "./support/queue.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { startServer, type TestServer } from "./support/server.ts"

/** Fixed seeds: a failure names its seed and path, and the same run reproduces it. */
const SEED = 20_240_605
const MAX_BODY_BYTES = 2048
const MAX_ACTIONS = 10

const ALLOWED = ["https://app.example.com/api/process-queue", "https://app.example.com/other?x=1", "HTTPS://APP.EXAMPLE.COM:443/a"]
const REFUSED = [
  "http://app.example.com/api", // another origin, not listed
  "http://inward.test/hook",
  "http://127.0.0.1/hook",
  "http://[::ffff:7f00:1]/hook",
  "http://169.254.169.254/latest",
  "http://2130706433/",
  "ftp://app.example.com/",
  "not a url",
  ""
]

const limits = (publicAllowed: boolean): FuzzLimits => ({
  maxBodyBytes: MAX_BODY_BYTES,
  maxActions: MAX_ACTIONS,
  target: (url) => {
    if (ALLOWED.includes(url) || (publicAllowed && url === "https://public.test/hook")) return "allowed"
    if (REFUSED.includes(url) || url === "https://public.test/hook") return "refused"
    return "unknown"
  }
})

interface Outcome {
  readonly status: number
  /** Jobs the request added to the queue. */
  readonly queued: ReadonlyArray<string>
}

/** The property: never a 5xx; an invalid request queues nothing; a valid one queues exactly its actions. */
const check = (request: FuzzRequest, { status, queued }: Outcome, fuzzLimits: FuzzLimits) => {
  const verdict = judge(request, fuzzLimits)
  expect(status).toBeLessThan(500)
  if (status !== 202) expect(queued).toEqual([])
  if (verdict.kind === "invalid") {
    expect(status).toBeGreaterThanOrEqual(400)
  } else if (verdict.kind === "valid" && request.headers["idempotency-key"] === undefined) {
    expect(status).toBe(202)
    expect(queued).toEqual(verdict.names)
  } else if (status === 202 && verdict.kind === "valid") {
    expect(queued).toEqual(verdict.names)
  }
}

const TARGETS = [...ALLOWED, ...REFUSED, "https://public.test/hook"]

describe("fuzzing POST /enqueue", () => {
  // Generous limits on time: the runs are fixed, the machine may be busy.
  test("in process, on the in-memory queue: 3,000 requests, no 5xx, nothing queued from an invalid request", async () => {
    const api = await makeTestApi(
      { maxBodyBytes: MAX_BODY_BYTES, maxActionsPerRequest: MAX_ACTIONS, targetUrlAllowlist: ["https://app.example.com", "*"] },
      tableResolver({ "public.test": ["93.184.216.34"], "inward.test": ["10.1.2.3"] })
    )
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(fuzzRequest(TARGETS), async (request) => {
        const before = api.state.jobs.length
        const response = await api.request("/enqueue", { method: "POST", headers: request.headers, body: request.body })
        await response.arrayBuffer()
        const queued = api.state.jobs.slice(before).map((job) => job.name)
        if (response.status === 202) accepted += 1
        check(request, { status: response.status, queued }, limits(true))
      }),
      { seed: SEED, numRuns: 3_000 }
    )
    await api.close()
    // The generator is worth its runs only if a fair share of them get all the way through validation.
    expect(accepted).toBeGreaterThan(200)
  }, 120_000)
})

describe("fuzzing POST /enqueue over HTTP", () => {
  let redis: TestRedis
  let server: TestServer
  let queue: Queue

  beforeAll(async () => {
    redis = await startRedis()
    server = await startServer({
      REDIS_URL: redis.url,
      ROLE: "api",
      DEFAULT_TARGET_URL: "https://app.example.com/api/process-queue",
      TARGET_URL_ALLOWLIST: "https://app.example.com,*",
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      MAX_ACTIONS_PER_REQUEST: String(MAX_ACTIONS)
    })
    queue = openQueue(redis)
  })

  afterAll(async () => {
    await server?.stop()
    await queue?.close()
    await redis?.dispose()
  })

  test("a started server: 300 requests, no 5xx, no crash, and Redis holds exactly the accepted actions", async () => {
    let expected = 0
    await fc.assert(
      fc.asyncProperty(fuzzRequest(TARGETS), async (request) => {
        const response = await fetch(`${server.url}/enqueue`, { method: "POST", headers: request.headers, body: request.body })
        const text = await response.text()
        const queued = response.status === 202 ? [...text.matchAll(/"[0-9a-f-]{36}"/g)].map((m) => m[0]) : []
        expected += queued.length
        // Over HTTP the names stay in Redis; here the count and the ids are what can be seen from outside.
        const verdict = judge(request, limits(false))
        expect(response.status).toBeLessThan(500)
        if (verdict.kind === "invalid") expect(response.status).toBeGreaterThanOrEqual(400)
        if (verdict.kind === "valid" && request.headers["idempotency-key"] === undefined) {
          expect(response.status).toBe(202)
          expect(queued).toHaveLength(verdict.names.length)
        }
      }),
      { seed: SEED + 1, numRuns: 300 }
    )
    expect((await server.fetch("/healthz")).status).toBe(200)
    expect(server.proc.exitCode).toBeNull()
    const counts = await queue.getJobCounts("waiting", "delayed", "prioritized", "active", "completed", "failed")
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(expected)
    expect(expected).toBeGreaterThan(0)
  }, 120_000)
})
