import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { DASHBOARD_CSP } from "../src/http/responseHeaders.ts"
import { basic, request } from "./support/nodeGet.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { startServer, TEST_ADMIN, TEST_TOKEN, type TestServer } from "./support/server.ts"

let redis: TestRedis
let server: TestServer

beforeAll(async () => {
  redis = await startRedis()
  server = await startServer({ REDIS_URL: redis.url, ROLE: "api", DEFAULT_TARGET_URL: "http://127.0.0.1:9/hook", MAX_BODY_BYTES: "100" })
})

afterAll(async () => {
  await server?.stop()
  await redis?.dispose()
})

const bearer = { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" }
const everyAnswer = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-resource-policy": "same-origin"
}

const expectNoVersion = (headers: Headers) => {
  expect(headers.get("x-powered-by")).toBeNull()
  expect(headers.get("server")).toBeNull()
}

describe("API answers", () => {
  const cases: ReadonlyArray<readonly [string, string, RequestInit, number]> = [
    ["healthz", "/healthz", {}, 200],
    ["unknown path", "/nope", {}, 404],
    ["no token", "/enqueue", { method: "POST", body: "{}" }, 401],
    ["bad body", "/enqueue", { method: "POST", headers: bearer, body: "{" }, 400],
    ["wrong content type", "/enqueue", { method: "POST", headers: { ...bearer, "content-type": "text/plain" }, body: "{}" }, 415],
    ["too large", "/enqueue", { method: "POST", headers: bearer, body: "x".repeat(200) }, 413],
    ["queued", "/enqueue", { method: "POST", headers: bearer, body: '{"actions":[{"name":"A"}]}' }, 202]
  ]

  test.each(cases)("%s: security headers, a strict policy, no caching, no server version", async (_, path, init, status) => {
    const response = await server.fetch(path, init)
    expect(response.status).toBe(status)
    expect(Object.fromEntries(Object.keys(everyAnswer).map((name) => [name, response.headers.get(name)]))).toEqual(everyAnswer)
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'")
    expect(response.headers.get("cache-control")).toBe("no-store")
    expectNoVersion(response.headers)
  })
})

describe("dashboard answers", () => {
  const auth = basic(TEST_ADMIN.user, TEST_ADMIN.pass)

  test.each([
    ["page", "/admin/queues", auth, 200],
    ["static file", "/admin/queues/static/images/logo.svg", auth, 200],
    ["its API", "/admin/queues/api/queues", auth, 200],
    ["login prompt", "/admin/queues", {}, 401]
  ] as const)("%s: security headers and the dashboard's policy, no server version", async (_, path, headers, status) => {
    const response = await server.fetch(path, { headers })
    expect(response.status).toBe(status)
    expect(Object.fromEntries(Object.keys(everyAnswer).map((name) => [name, response.headers.get(name)]))).toEqual(everyAnswer)
    expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP)
    expectNoVersion(response.headers)
  })

  test("the policy allows everything the dashboard page loads, and the page runs no inline script", async () => {
    const page = await (await server.fetch("/admin/queues", { headers: auth })).text()
    const scripts = [...page.matchAll(/<script([^>]*)>/g)].map((m) => m[1] ?? "")
    const external = scripts.flatMap((attrs) => [...attrs.matchAll(/src="([^"]+)"/g)].map((m) => m[1] ?? ""))
    const inline = scripts.filter((attrs) => !attrs.includes("src="))
    const styles = [...page.matchAll(/<link[^>]*rel="stylesheet"[^>]*>/g)].map((m) => /href="([^"]+)"/.exec(m[0])?.[1] ?? "")
    const base = /<base href="([^"]+)"/.exec(page)?.[1]

    expect(base).toBe("/admin/queues/")
    expect(external.length).toBeGreaterThan(0)
    // script-src 'self': every script is a path on this server.
    for (const src of external) expect(src).toMatch(/^(static\/|\/admin\/queues\/)/)
    // Only a JSON data block is inline, which a policy does not govern.
    for (const attrs of inline) expect(attrs).toContain('type="application/json"')
    // style-src 'self': the page's own styles load; its Google Fonts link is refused on purpose (nothing leaves).
    for (const href of styles) expect(href).toMatch(/^(static\/|https:\/\/fonts\.googleapis\.com\/)/)
    expect(styles.some((href) => href.startsWith("static/"))).toBe(true)
    for (const src of external) expect((await server.fetch(`/admin/queues/${src}`, { headers: auth })).status).toBe(200)
  })
})

describe("the node:http limit path", () => {
  test("a 413 refused on the announced length alone carries the API headers", async () => {
    const answer = await request(server.port, "/enqueue", {
      method: "POST",
      headers: { ...bearer, "content-length": "1000", expect: "100-continue" }
    })
    expect(answer.status).toBe(413)
    expect(answer.headers["x-content-type-options"]).toBe("nosniff")
    expect(answer.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'")
  })
})
