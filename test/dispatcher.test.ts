import { afterAll, describe, expect, test } from "bun:test"
import { Option } from "effect"
import { attemptWithFetch } from "../src/layers/DispatcherFetch.ts"
import { freePort } from "./support/ports.ts"
import { startReceiver } from "./support/receiver.ts"

const receiver = startReceiver()
afterAll(() => receiver.stop())

const attempt = (respond: () => Response | Promise<Response>, timeoutMs = 2_000) => {
  receiver.respond(respond)
  return attemptWithFetch({ url: receiver.url, body: '{"name":"A","params":null}', headers: { "content-type": "application/json" } }, timeoutMs)
}

describe("one delivery attempt is classified as the contract says", () => {
  test("2xx: delivered", async () => {
    for (const status of [200, 201, 202, 204]) {
      const outcome = await attempt(() => new Response(status === 204 ? null : "ok", { status }))
      expect(outcome._tag).toBe("Delivered")
    }
  })

  test("3xx: permanent, the redirect is not followed", async () => {
    const before = receiver.received.length
    const outcome = await attempt(() => new Response(null, { status: 302, headers: { location: `${receiver.origin}/elsewhere` } }))
    expect(outcome._tag).toBe("Permanent")
    expect(receiver.received.slice(before).map((r) => r.path)).toEqual(["/hook"])
  })

  test("4xx other than 408, 425, 429: permanent, with the body kept (at most 1 KiB)", async () => {
    for (const status of [400, 401, 404, 409, 410, 422]) {
      const outcome = await attempt(() => new Response(`bad action ${"x".repeat(5_000)}`, { status }))
      expect(outcome._tag).toBe("Permanent")
      if (outcome._tag === "Permanent") {
        expect(outcome.status).toEqual(Option.some(status))
        expect(outcome.body.startsWith("bad action")).toBe(true)
        expect(Buffer.byteLength(outcome.body)).toBeLessThanOrEqual(1024)
      }
    }
  })

  test("408, 425, 429 and 5xx: retryable", async () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504]) {
      const outcome = await attempt(() => new Response("later", { status }))
      expect(outcome._tag).toBe("Retryable")
      if (outcome._tag === "Retryable") expect(outcome.status).toEqual(Option.some(status))
    }
  })

  test("429 with Retry-After in seconds and as a date", async () => {
    const seconds = await attempt(() => new Response(null, { status: 429, headers: { "retry-after": "7" } }))
    expect(seconds._tag === "Retryable" && seconds.retryAfterMs).toEqual(Option.some(7_000))
    const date = new Date(Date.now() + 60_000).toUTCString()
    const dated = await attempt(() => new Response(null, { status: 503, headers: { "retry-after": date } }))
    const ms = dated._tag === "Retryable" ? Option.getOrElse(dated.retryAfterMs, () => -1) : -1
    expect(ms).toBeGreaterThan(55_000)
    expect(ms).toBeLessThanOrEqual(60_000)
  })

  test("a receiver slower than the timeout: retryable, reason says timeout", async () => {
    const outcome = await attempt(() => new Promise((resolve) => setTimeout(() => resolve(new Response("late")), 1_000)), 150)
    expect(outcome._tag).toBe("Retryable")
    if (outcome._tag === "Retryable") {
      expect(outcome.reason).toContain("timeout")
      expect(outcome.status).toEqual(Option.none())
    }
  })

  test("a 2xx whose body trickles past the timeout is still delivered: the status is the receiver's decision", async () => {
    const outcome = await attempt(
      () =>
        new Response(
          new ReadableStream({
            async start(controller) {
              controller.enqueue(new TextEncoder().encode("ok"))
              await Bun.sleep(1_000)
              controller.close()
            }
          }),
          { status: 200 }
        ),
      150
    )
    expect(outcome._tag).toBe("Delivered")
  })

  test("a refused connection: retryable network error", async () => {
    const port = await freePort()
    const outcome = await attemptWithFetch({ url: `http://127.0.0.1:${port}/hook`, body: "{}", headers: {} }, 2_000)
    expect(outcome._tag).toBe("Retryable")
    if (outcome._tag === "Retryable") expect(outcome.reason).toContain("network error")
  })
})
