import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { jobIdsOf, readAnswer } from "./support/answer.ts"
import { burst, byWebhookId } from "./support/arrivals.ts"
import { sleep, waitFor } from "./support/ports.ts"
import { type Received, startReceiver } from "./support/receiver.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { startServer, type TestServer } from "./support/server.ts"

let redis: TestRedis
let server: TestServer | undefined

/** Requests the receiver answered, by webhook-id; a HANG action's first arrival is held open, never answered. */
const answered: Array<Received> = []
const receiver = startReceiver(async (request) => {
  const { name } = JSON.parse(request.body) as { name: string }
  const id = request.headers["webhook-id"]
  const seen = receiver.received.filter((r) => r.headers["webhook-id"] === id).length
  if (name === "HANG" && seen === 1) return new Promise<Response>(() => undefined)
  await sleep(30)
  answered.push(request)
  return new Response(null, { status: 204 })
})

const SHUTDOWN_TIMEOUT_MS = 2_000
/** A wait limit for the exit, far above the shutdown timeout: not a timing assertion. */
const EXIT_WAIT_LIMIT_MS = SHUTDOWN_TIMEOUT_MS + 15_000

const env = (overrides: Record<string, string> = {}) => ({
  REDIS_URL: redis.url,
  DEFAULT_TARGET_URL: receiver.url,
  SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  DISPATCH_CONCURRENCY: "20",
  ...overrides
})

/** The exit code, or "still running" when the process outlives the wait limit. */
const exitOf = (running: TestServer) =>
  Promise.race([running.proc.exited, sleep(EXIT_WAIT_LIMIT_MS).then(() => "still running" as const)])

beforeAll(async () => {
  redis = await startRedis({ aof: true })
})

afterAll(async () => {
  await server?.stop("SIGKILL")
  await receiver.stop()
  await redis?.dispose()
})

describe("graceful stop", () => {
  test("SIGTERM mid-burst: readiness 503 and no new work, exit 0; after a restart 0 lost, 0 delivered twice", async () => {
    server = await startServer(env())
    const running = server
    // Three deliveries the receiver never answers: still in flight at the deadline, put back.
    const hung = await jobIdsOf(await running.enqueue(burst(3, "HANG")))
    const ids = await jobIdsOf(await running.enqueue(burst(500)))
    await waitFor("the burst under way", () => answered.length >= 60 && hung.every((id) => byWebhookId(receiver.received).has(id)), 20_000, 5)

    running.proc.kill("SIGTERM")
    const exit = exitOf(running)
    await waitFor("/readyz to answer 503", async () => (await running.fetch("/readyz")).status === 503, 5_000, 10)
    const refused = await running.enqueue(burst(1, "TOO_LATE"))
    expect(refused.status).toBe(503)
    expect((await readAnswer(refused)).error).toBe("ServiceUnavailable")
    expect((await running.fetch("/healthz")).status).toBe(200)
    expect(await exit).toBe(0)
    const answeredBeforeStop = new Set(answered.map((r) => r.headers["webhook-id"]))
    expect(answeredBeforeStop.size).toBeLessThan(ids.length)

    server = await startServer(env())
    await waitFor("every job answered once", () => [...ids, ...hung].every((id) => answered.some((r) => r.headers["webhook-id"] === id)), 30_000, 50)
    await sleep(300)

    const arrivals = byWebhookId(receiver.received)
    for (const id of ids) expect(arrivals.get(id)).toHaveLength(1)
    // The put-back deliveries came again, as a first attempt: the aborted one was never answered.
    for (const id of hung) expect(arrivals.get(id)?.map((r) => r.headers["nexora-attempt"])).toEqual(["1", "1"])
    expect(answered).toHaveLength(ids.length + hung.length)
    expect(receiver.received.some((r) => r.body.includes("TOO_LATE"))).toBe(false)
    await server.stop()
  })

  test("SIGTERM while Redis is down, a delivery in flight: exit 0; the delivery comes again once Redis and the server are back", async () => {
    // A short attempt timeout keeps the lock short (5 s): the job whose put-back could not reach Redis
    // comes back soon after the restart; the deadline still falls while the delivery is in flight.
    const short = env({ DISPATCH_TIMEOUT_MS: "1600", SHUTDOWN_TIMEOUT_MS: "500" })
    server = await startServer(short)
    const running = server
    const [id] = await jobIdsOf(await running.enqueue(burst(1, "HANG")))
    if (id === undefined) throw new Error("no job id")
    await waitFor("the delivery in flight", () => byWebhookId(receiver.received).has(id), 10_000)

    await redis.stop({ hard: true })
    expect(await running.stop("SIGTERM").then(() => exitOf(running))).toBe(0)

    await redis.start()
    server = await startServer(short)
    await waitFor("the delivery again", () => answered.some((r) => r.headers["webhook-id"] === id), 30_000, 50)
    expect(byWebhookId(receiver.received).get(id)?.map((r) => r.headers["nexora-attempt"])).toEqual(["1", "1"])
  })
})
