import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { clientKey, makeLoginThrottle } from "../src/http/loginThrottle.ts"
import { basic, request } from "./support/nodeGet.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { startServer, TEST_ADMIN, type TestServer } from "./support/server.ts"

let redis: TestRedis
let server: TestServer

beforeAll(async () => {
  redis = await startRedis()
  server = await startServer({ REDIS_URL: redis.url, ROLE: "api", DEFAULT_TARGET_URL: "http://127.0.0.1:9/hook" })
})

afterAll(async () => {
  await server?.stop()
  await redis?.dispose()
})

const right = basic(TEST_ADMIN.user, TEST_ADMIN.pass)
const mainScript = readdirSync(join(import.meta.dir, "..", "node_modules/@bull-board/ui/dist/static/js")).find((f) => /^main\..+\.js$/.test(f))

describe("Basic Auth covers every path under /admin/queues", () => {
  const served = [
    "/admin/queues", // the page
    "/admin/queues/",
    "/admin/queues/queue/webhooks", // a page route of the app
    "/admin/queues/api/queues", // its API
    "/admin/queues/static/images/logo.svg", // static files
    "/admin/queues/static/favicon.ico",
    `/admin/queues/static/js/${mainScript}`
  ]
  const sneaky = [
    "/admin/queues/static/nothing-here.js",
    "/admin/queues/%73tatic/images/logo.svg",
    "/admin/queues/static/../api/queues",
    "/admin/queues//api/queues",
    "/admin/queues/api/queues?x=/static/",
    "/admin/queues/api/redis/stats"
  ]
  // The throttle counts wrong passwords per address (tested on its own below): each path asks from its own.
  const from = "127.0.0.2"
  const paths = [...served, ...sneaky]

  test.each(paths)("%s: 401 without credentials and with wrong ones", async (path) => {
    for (const headers of [{}, basic(TEST_ADMIN.user, "wrong"), basic("admin", TEST_ADMIN.pass), { authorization: "Bearer x" }]) {
      const answer = await request(server.port, path, { from: `127.0.1.${paths.indexOf(path) + 1}`, headers })
      expect(answer.status).toBe(401)
      expect(answer.headers["www-authenticate"]).toBe('Basic realm="Nexora Queue", charset="UTF-8"')
      expect(answer.body).not.toContain("bull")
    }
  })

  test.each(served)("%s: served with the right credentials", async (path) => {
    const answer = await request(server.port, path, { from, headers: right })
    expect(answer.status).toBe(200)
  })

  test("the page and the API give real content once logged in", async () => {
    expect((await request(server.port, "/admin/queues", { from, headers: right })).body).toContain("<title>Nexora Queue</title>")
    expect(JSON.parse((await request(server.port, "/admin/queues/api/queues", { from, headers: right })).body)).toMatchObject({
      queues: [{ name: "webhooks" }]
    })
  })
})

describe("repeated wrong passwords from one address are throttled", () => {
  test("ten wrong passwords are 401; then the address gets 429, even with the right password; others are not affected", async () => {
    const attacker = "127.0.0.3"
    for (let i = 0; i < 10; i++) {
      expect((await request(server.port, "/admin/queues", { from: attacker, headers: basic(TEST_ADMIN.user, `guess-${i}`) })).status).toBe(401)
    }
    const refused = await request(server.port, "/admin/queues/api/queues", { from: attacker, headers: basic(TEST_ADMIN.user, "guess-10") })
    expect(refused.status).toBe(429)
    expect(JSON.parse(refused.body)).toMatchObject({ error: "TooManyRequests" })
    const retryAfter = Number(refused.headers["retry-after"])
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    // While refused, the password is not even checked: the right one gets 429 too, so guessing learns nothing.
    expect((await request(server.port, "/admin/queues", { from: attacker, headers: right })).status).toBe(429)
    expect((await request(server.port, "/admin/queues", { from: "127.0.0.4", headers: right })).status).toBe(200)
  })

  test("asking without credentials (how a browser shows the login prompt) is not counted", async () => {
    for (let i = 0; i < 15; i++) expect((await request(server.port, "/admin/queues", { from: "127.0.0.5" })).status).toBe(401)
    expect((await request(server.port, "/admin/queues", { from: "127.0.0.5", headers: right })).status).toBe(200)
  })
})

describe("the throttle's rule", () => {
  test("refuses after ten failures for the rest of a one-minute window, then lets the address try again", () => {
    let now = 1_000_000
    const throttle = makeLoginThrottle(undefined, () => now)
    for (let i = 0; i < 9; i++) throttle.failed("a")
    expect(throttle.waitMs("a")).toBe(0)
    now += 30_000
    throttle.failed("a")
    expect(throttle.waitMs("a")).toBe(30_000)
    expect(throttle.waitMs("b")).toBe(0)
    now += 29_999
    expect(throttle.waitMs("a")).toBe(1)
    now += 1
    expect(throttle.waitMs("a")).toBe(0)
    throttle.failed("a")
    expect(throttle.waitMs("a")).toBe(0)
  })

  test("tracks a bounded number of addresses, forgetting the oldest first", () => {
    const throttle = makeLoginThrottle({ maxFailures: 1, windowMs: 60_000, maxTracked: 2 }, () => 0)
    for (const key of ["a", "b", "c"]) throttle.failed(key)
    expect(["a", "b", "c"].map(throttle.waitMs)).toEqual([0, 60_000, 60_000])
  })

  test("counts an IPv4 client as itself, however it is spelled, and an IPv6 client by its /64", () => {
    expect(clientKey("::ffff:127.0.0.3")).toBe("127.0.0.3")
    expect(clientKey("127.0.0.3")).toBe("127.0.0.3")
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe(clientKey("2001:db8:1:2:bbbb::2"))
    expect(clientKey("2001:db8:1:2::1")).not.toBe(clientKey("2001:db8:1:3::1"))
    expect(clientKey(undefined)).toBe("unknown")
  })
})
