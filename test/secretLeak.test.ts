import { afterAll, beforeAll, expect, test } from "bun:test"
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { basic, request } from "./support/nodeGet.ts"
import { sleep, waitFor } from "./support/ports.ts"
import { startReceiver, type TestReceiver } from "./support/receiver.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { OUTPUT_DIR, startServer, TEST_ADMIN, TEST_SECRET, TEST_TOKEN, type TestServer } from "./support/server.ts"

const PREVIOUS_SECRET = "previous-webhook-secret-4e8a1d0c"
const REDIS_PASSWORD = "redis-pass-91c3f7b2d5"

/** Every secret the server knows, as given and in the encodings a careless line might print it in. */
const secrets: Record<string, string> = {
  INTERNAL_ACCESS_TOKEN: TEST_TOKEN,
  WEBHOOK_SECRET: TEST_SECRET,
  WEBHOOK_SECRET_PREVIOUS: PREVIOUS_SECRET,
  ADMIN_PASS: TEST_ADMIN.pass,
  "the Redis password": REDIS_PASSWORD
}
const forms = Object.entries(secrets).flatMap(([name, value]): Array<readonly [string, string]> => [
  [name, value],
  [`${name} in base64`, Buffer.from(value).toString("base64")],
  [`${name} in hex`, Buffer.from(value).toString("hex")],
  [`${name} URL-encoded`, encodeURIComponent(value)]
])
forms.push(["the dashboard's Basic credentials", Buffer.from(`${TEST_ADMIN.user}:${TEST_ADMIN.pass}`).toString("base64")])

let redis: TestRedis
let receiver: TestReceiver
let server: TestServer
/** Everything the server answered: status lines, headers and bodies. */
const answers: Array<string> = []

const protect = (port: number) => Bun.spawnSync(["redis-cli", "-p", String(port), "config", "set", "requirepass", REDIS_PASSWORD])

beforeAll(async () => {
  redis = await startRedis()
  protect(redis.port)
  receiver = startReceiver()
  server = await startServer({
    REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}`,
    WEBHOOK_SECRET_PREVIOUS: PREVIOUS_SECRET,
    DEFAULT_TARGET_URL: receiver.url,
    TARGET_URL_ALLOWLIST: receiver.origin,
    MAX_ATTEMPTS: "2",
    BACKOFF_DELAY_MS: "20",
    MAX_BODY_BYTES: "4096",
    LOG_LEVEL: "trace"
  })
})

afterAll(async () => {
  await server?.stop("SIGKILL")
  await receiver?.stop()
  await redis?.dispose()
})

const record = async (response: Response) => {
  answers.push(`${response.status} ${[...response.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n${await response.text()}`)
  return response.status
}
const call = (path: string, init: RequestInit = {}) => server.fetch(path, init).then(record)
const enqueue = (body: string, headers: Record<string, string> = {}) =>
  call("/enqueue", { method: "POST", headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json", ...headers }, body })
const dashboard = async (path: string, headers: Record<string, string>, from = "127.0.0.1") => {
  const answer = await request(server.port, path, { headers, from })
  answers.push(`${answer.status} ${JSON.stringify(answer.headers)}\n${answer.body}`)
  return answer.status
}

test("no secret appears in anything the server printed or answered, through success and failure", async () => {
  // Deliveries that succeed, are retried, and fail for good (the receiver's answers are kept on jobs).
  receiver.respond((r) =>
    r.body.includes('"name":"FAIL"')
      ? new Response("nope", { status: 422 })
      : r.body.includes('"name":"RETRY"')
        ? new Response("busy", { status: 503 })
        : new Response("ok")
  )
  expect(await enqueue('{"actions":[{"name":"OK"},{"name":"RETRY"},{"name":"FAIL","params":{"a":1}}]}')).toBe(202)
  await waitFor("three deliveries and a retry", () => receiver.received.length >= 4)

  // Every way a request can be refused.
  for (const authorization of ["", "Bearer", `Bearer ${TEST_TOKEN}x`, `Bearer ${TEST_TOKEN.slice(0, -1)}`, `Basic ${TEST_TOKEN}`, `bearer  ${TEST_TOKEN}`]) {
    expect(await call("/enqueue", { method: "POST", headers: { authorization, "content-type": "application/json" }, body: "{}" })).toBe(401)
  }
  expect(await enqueue("{")).toBe(400)
  expect(await enqueue('{"actions":[]}')).toBe(400)
  expect(await enqueue('{"actions":[{"name":""}]}')).toBe(400)
  expect(await enqueue(JSON.stringify({ actions: [{ name: "A", params: "x".repeat(5000) }] }))).toBe(413)
  expect(await enqueue("{}", { "content-type": "text/plain" })).toBe(415)
  expect(await enqueue('{"actions":[{"name":"A"}],"targetUrl":"http://169.254.169.254/latest"}')).toBe(403)
  expect(await enqueue('{"actions":[{"name":"A"}],"targetUrl":"ftp://x"}')).toBe(400)

  // Probes, metrics, docs, unknown paths.
  for (const path of ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/nope", "/admin"]) await call(path)

  // The dashboard: its page, API and files, right and wrong passwords, and the throttle.
  const auth = basic(TEST_ADMIN.user, TEST_ADMIN.pass)
  for (const path of ["/admin/queues", "/admin/queues/api/queues", "/admin/queues/api/redis/stats", "/admin/queues/static/images/logo.svg"]) {
    expect(await dashboard(path, auth)).toBe(200)
  }
  expect(await dashboard("/admin/queues/api/queues?activeQueue=webhooks&status=failed", auth)).toBe(200)
  expect(await dashboard("/admin/queues/api/queues?activeQueue=webhooks&status=completed", auth)).toBe(200)
  for (let i = 0; i < 12; i++) await dashboard("/admin/queues", basic(TEST_ADMIN.user, `${TEST_ADMIN.pass}${i}`), "127.0.0.9")

  // Redis goes away and comes back: 503s, readiness, reconnection logs.
  await redis.stop()
  expect(await enqueue('{"actions":[{"name":"A"}]}')).toBe(503)
  expect(await call("/readyz")).toBe(503)
  await sleep(500)
  await redis.start()
  protect(redis.port)
  await waitFor("readiness after Redis is back", async () => (await server.fetch("/readyz")).ok)
  expect(await call("/readyz")).toBe(200)

  // A graceful stop prints its own lines.
  expect(await server.stop("SIGTERM")).toBe(0)

  // What every other server started by this run of the suite printed (older files belong to older code).
  const suiteOutput = existsSync(OUTPUT_DIR)
    ? readdirSync(OUTPUT_DIR)
        .map((file) => join(OUTPUT_DIR, file))
        .filter((file) => statSync(file).mtimeMs >= performance.timeOrigin)
        .map((file) => readFileSync(file, "utf8"))
    : []
  const haystacks = { "this server's output": server.output(), "its answers": answers.join("\n"), "other servers' output": suiteOutput.join("\n") }
  expect(server.output().length).toBeGreaterThan(0)
  for (const [where, text] of Object.entries(haystacks)) {
    // The failure names the secret, never its value.
    for (const [name, value] of forms) expect({ where, leaked: name, found: text.includes(value) }).toEqual({ where, leaked: name, found: false })
  }
})
