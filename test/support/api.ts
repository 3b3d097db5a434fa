import { Effect, Exit, Layer, Option, Redacted, Scope } from "effect"
import { makeEnqueueDirect } from "../../src/http/enqueueDirect.ts"
import { makeApiWebHandler } from "../../src/http/server.ts"
import { MetricsPrometheus } from "../../src/layers/MetricsPrometheus.ts"
import { makeQueueMemory } from "../../src/layers/QueueMemory.ts"
import { TargetPolicyAllowlist } from "../../src/layers/TargetPolicyAllowlist.ts"
import { Config, type Settings } from "../../src/services/Config.ts"
import { HostResolver, HostUnresolved, type ResolvedAddress } from "../../src/services/HostResolver.ts"
import { Lifecycle } from "../../src/services/Lifecycle.ts"
import { TEST_SECRET, TEST_TOKEN } from "./server.ts"

export const testSettings = (overrides: Partial<Settings> = {}): Settings => ({
  port: 0,
  host: "127.0.0.1",
  redis: { url: Redacted.make("redis://127.0.0.1:1"), clusterNodes: Option.none() },
  internalAccessToken: Redacted.make(TEST_TOKEN),
  webhookSecret: Redacted.make(TEST_SECRET),
  webhookSecretPrevious: Option.none(),
  defaultTargetUrl: "https://app.example.com/api/process-queue",
  targetUrlAllowlist: ["https://app.example.com"],
  admin: Option.none(),
  queueName: "webhooks",
  queuePrefix: "nexora",
  role: "api",
  dispatchConcurrency: 50,
  dispatchTimeoutMs: 10_000,
  maxAttempts: 10,
  backoffDelayMs: 1_000,
  maxBodyBytes: 1_048_576,
  maxActionsPerRequest: 1_000,
  keepCompleted: 1_000,
  keepFailed: 10_000,
  shutdownTimeoutMs: 25_000,
  logLevel: "none",
  logFormat: "json",
  ...overrides
})

const addressOf = (address: string): ResolvedAddress => ({ address, family: address.includes(":") ? 6 : 4 })

/**
 * A resolver that answers from `table` (name → addresses), read afresh on every lookup so a test can change
 * the answers between two lookups; a name it does not hold does not resolve.
 */
export const tableResolver = (table: Record<string, ReadonlyArray<string>>) =>
  Layer.succeed(HostResolver, {
    lookup: (hostname) => {
      const answers = table[hostname]
      return answers === undefined
        ? Effect.fail(new HostUnresolved({ hostname, temporary: false, reason: "lookup failed (ENOTFOUND)" }))
        : Effect.succeed(answers.map(addressOf))
    }
  })

/**
 * The HTTP API in process, on the in-memory queue: every answer of the API without Redis. Names a request's
 * `targetUrl` uses are resolved by `resolver` (by default, none resolves).
 */
export const makeTestApi = async (overrides: Partial<Settings> = {}, resolver: Layer.Layer<HostResolver> = tableResolver({})) => {
  const memory = makeQueueMemory()
  const scope = Effect.runSync(Scope.make())
  const layers = Layer.mergeAll(
    memory.layer,
    MetricsPrometheus.pipe(Layer.provide(memory.layer)),
    TargetPolicyAllowlist.pipe(Layer.provide(resolver)),
    Lifecycle.Live
  ).pipe(
    Layer.provideMerge(Layer.succeed(Config, testSettings(overrides)))
  )
  const [handler, direct] = await Effect.runPromise(
    Effect.all([makeApiWebHandler, makeEnqueueDirect]).pipe(Effect.provide(layers), Scope.extend(scope))
  )
  const request = (path: string, init: RequestInit = {}) => handler(new Request(`http://localhost${path}`, init))
  const enqueue = (body: unknown, headers: Record<string, string> = {}) =>
    request("/enqueue", {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body)
    })
  /** `POST /enqueue` through the listener's direct route, as the server reads it (lower-case headers). */
  const enqueueDirect = (body: unknown, headers: Record<string, string> = {}) =>
    direct.serve({
      headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json", ...headers },
      body: new TextEncoder().encode(typeof body === "string" ? body : JSON.stringify(body))
    })
  return { ...memory, request, enqueue, enqueueDirect, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
