import { afterAll, describe, expect, test } from "bun:test"
import { Effect, Layer, Logger, LogLevel, Option } from "effect"
import type { DeliveryOutcome } from "../src/domain/DeliveryOutcome.ts"
import { DispatcherFetch } from "../src/layers/DispatcherFetch.ts"
import { postPinned } from "../src/layers/postPinned.ts"
import { SignerHmac } from "../src/layers/SignerHmac.ts"
import { TargetPolicyAllowlist } from "../src/layers/TargetPolicyAllowlist.ts"
import { Config, type Settings } from "../src/services/Config.ts"
import { Dispatcher } from "../src/services/Dispatcher.ts"
import { HostResolver, HostUnresolved } from "../src/services/HostResolver.ts"
import { deliverJob } from "../src/worker/deliverJob.ts"
import { makeTestApi, tableResolver, testSettings } from "./support/api.ts"
import { startReceiver } from "./support/receiver.ts"

const receiver = startReceiver()
const port = new URL(receiver.origin).port
afterAll(() => receiver.stop())

/** Answers a test changes while it runs: DNS as an attacker who owns a name controls it. */
const dns: Record<string, ReadonlyArray<string>> = {}

const unreachableDns = Layer.succeed(HostResolver, {
  lookup: (hostname) => Effect.fail(new HostUnresolved({ hostname, temporary: true, reason: "lookup timed out" }))
})

const deliveryLayer = (settings: Settings, resolver: Layer.Layer<HostResolver> = tableResolver(dns)) =>
  Layer.mergeAll(DispatcherFetch, SignerHmac).pipe(
    Layer.provide(TargetPolicyAllowlist.pipe(Layer.provide(resolver))),
    Layer.provide(Layer.succeed(Config, settings))
  )

const attempt = (settings: Settings, url: string, resolver?: Layer.Layer<HostResolver>) =>
  Effect.runPromise(
    Dispatcher.pipe(
      Effect.flatMap((dispatcher) => dispatcher.attempt({ url, body: '{"name":"A","params":null}', headers: { "content-type": "application/json" } })),
      Effect.provide(deliveryLayer(settings, resolver))
    )
  )

const reasonOf = (outcome: DeliveryOutcome) => (outcome._tag === "Delivered" ? "" : outcome.reason)
const anyPublic = testSettings({ targetUrlAllowlist: ["*"] })

describe("the target is checked again at delivery", () => {
  test("a listed origin is delivered to, private address and all", async () => {
    const before = receiver.received.length
    const outcome = await attempt(testSettings({ targetUrlAllowlist: [receiver.origin] }), `${receiver.origin}/hook`)
    expect(outcome._tag).toBe("Delivered")
    expect(receiver.received.length).toBe(before + 1)
  })

  test("an origin allowed only by * whose name resolves inward is refused for good, and nothing is sent", async () => {
    dns["inward.test"] = ["127.0.0.1"]
    const before = receiver.received.length
    const outcome = await attempt(anyPublic, `http://inward.test:${port}/hook`)
    expect(outcome).toMatchObject({ _tag: "Permanent", status: Option.none() })
    expect(reasonOf(outcome)).toBe(
      "refused: the targetUrl host inward.test resolves to 127.0.0.1, not a public address (loopback); only origins listed in TARGET_URL_ALLOWLIST may reach it"
    )
    expect(receiver.received.length).toBe(before)
  })

  test("an address literal that is not public is refused", async () => {
    const before = receiver.received.length
    expect((await attempt(anyPublic, `http://127.0.0.1:${port}/hook`))._tag).toBe("Permanent")
    expect((await attempt(anyPublic, `http://[::ffff:7f00:1]:${port}/hook`))._tag).toBe("Permanent")
    expect(receiver.received.length).toBe(before)
  })

  test("an origin taken off the allowlist since the job was queued is refused", async () => {
    const outcome = await attempt(testSettings({ targetUrlAllowlist: ["https://app.example.com"] }), `${receiver.origin}/hook`)
    expect(reasonOf(outcome)).toBe(`refused: the origin ${receiver.origin} is not in TARGET_URL_ALLOWLIST`)
  })

  test("a name the resolver cannot answer for right now is retried, not failed", async () => {
    const outcome = await attempt(anyPublic, "https://flaky.test/hook", unreachableDns)
    expect(outcome._tag).toBe("Retryable")
    expect(reasonOf(outcome)).toContain("could not be resolved right now")
  })
})

describe("DNS rebinding", () => {
  test("a name that resolves public at enqueue and inward at delivery is blocked at delivery", async () => {
    dns["rebind.test"] = ["93.184.216.34"]
    const api = await makeTestApi({ targetUrlAllowlist: ["*"] }, tableResolver(dns))
    const response = await api.enqueue({ actions: [{ name: "CREATE_ORDER", params: { total: 1 } }], targetUrl: `http://rebind.test:${port}/hook` })
    expect(response.status).toBe(202)
    const job = api.state.jobs[0]
    if (job === undefined) throw new Error("nothing was queued")
    await api.close()

    // The attacker's name now answers with the machine's own address, where the receiver listens.
    dns["rebind.test"] = ["127.0.0.1"]
    const before = receiver.received.length
    const outcome = await Effect.runPromise(
      deliverJob({ id: job.id, attempt: 1, data: { name: job.name, params: job.params, targetUrl: job.targetUrl, enqueuedAt: Date.now() } }).pipe(
        Effect.provide(deliveryLayer(anyPublic)),
        Logger.withMinimumLogLevel(LogLevel.None)
      )
    )
    expect(outcome._tag).toBe("Permanent")
    expect(reasonOf(outcome)).toContain("rebind.test resolves to 127.0.0.1, not a public address (loopback)")
    expect(receiver.received.length).toBe(before)
  })
})

describe("the pinned connection", () => {
  const request = (url: string) => ({ url, body: '{"name":"A","params":1}', headers: { "content-type": "application/json", "webhook-id": "j1" } })

  test("connects to the checked address while speaking to the name", async () => {
    // pinned.test resolves nowhere: the request can only arrive through the address it was given.
    const before = receiver.received.length
    const outcome = await postPinned(request(`http://pinned.test:${port}/hook?x=1`), [{ address: "127.0.0.1", family: 4 }], 5_000)
    expect(outcome._tag).toBe("Delivered")
    const received = receiver.received.slice(before)
    expect(received.map((r) => [r.path, r.headers.host, r.body, r.headers["webhook-id"]])).toEqual([
      ["/hook", `pinned.test:${port}`, '{"name":"A","params":1}', "j1"]
    ])
  })

  test("with no checked address of the family asked for, nothing connects", async () => {
    const outcome = await postPinned(request(`http://unpinned.test:${port}/hook`), [], 5_000)
    expect(outcome._tag).toBe("Retryable")
  })

  test("gives the receiver's answer the same meaning as the fast path", async () => {
    receiver.respond(() => new Response("busy", { status: 503, headers: { "retry-after": "7" } }))
    const outcome = await postPinned(request(`http://pinned.test:${port}/hook`), [{ address: "127.0.0.1", family: 4 }], 5_000)
    receiver.respond(() => new Response("ok"))
    expect(outcome).toMatchObject({ _tag: "Retryable", status: Option.some(503), body: "busy", retryAfterMs: Option.some(7_000) })
  })

  test("a receiver that never answers times out as a retryable failure", async () => {
    receiver.respond(() => new Promise<Response>(() => undefined))
    const outcome = await postPinned(request(`http://pinned.test:${port}/hook`), [{ address: "127.0.0.1", family: 4 }], 200)
    receiver.respond(() => new Response("ok"))
    expect(outcome).toMatchObject({ _tag: "Retryable", reason: "timeout after 200 ms" })
  })
})

describe("redirects are never followed", () => {
  test("on the fast path and on the pinned path, a 3xx fails the attempt and the Location is not visited", async () => {
    receiver.respond((r) => (r.path === "/hook" ? new Response(null, { status: 302, headers: { location: "/elsewhere" } }) : new Response("ok")))
    const before = receiver.received.length
    const fast = await attempt(testSettings({ targetUrlAllowlist: [receiver.origin] }), `${receiver.origin}/hook`)
    const pinned = await postPinned(
      { url: `http://pinned.test:${port}/hook`, body: "{}", headers: {} },
      [{ address: "127.0.0.1", family: 4 }],
      5_000
    )
    receiver.respond(() => new Response("ok"))
    for (const outcome of [fast, pinned]) {
      expect(outcome).toMatchObject({ _tag: "Permanent", status: Option.some(302), reason: "HTTP 302 (redirects are not followed)" })
    }
    expect(receiver.received.slice(before).map((r) => r.path)).toEqual(["/hook", "/hook"])
  })
})
