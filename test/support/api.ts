import { Effect, Exit, Layer, Option, Redacted, Scope } from "effect"
import { makeApiWebHandler } from "../../src/http/server.ts"
import { MetricsPrometheus } from "../../src/layers/MetricsPrometheus.ts"
import { makeQueueMemory } from "../../src/layers/QueueMemory.ts"
import { TargetPolicyAllowlist } from "../../src/layers/TargetPolicyAllowlist.ts"
import { Config, type Settings } from "../../src/services/Config.ts"
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

/** The HTTP API in process, on the in-memory queue: every answer of the API without Redis. */
export const makeTestApi = async (overrides: Partial<Settings> = {}) => {
  const memory = makeQueueMemory()
  const scope = Effect.runSync(Scope.make())
  const layers = Layer.mergeAll(memory.layer, MetricsPrometheus.pipe(Layer.provide(memory.layer)), TargetPolicyAllowlist, Lifecycle.Live).pipe(
    Layer.provideMerge(Layer.succeed(Config, testSettings(overrides)))
  )
  const handler = await Effect.runPromise(makeApiWebHandler.pipe(Effect.provide(layers), Scope.extend(scope)))
  const request = (path: string, init: RequestInit = {}) => handler(new Request(`http://localhost${path}`, init))
  const enqueue = (body: unknown, headers: Record<string, string> = {}) =>
    request("/enqueue", {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body)
    })
  return { ...memory, request, enqueue, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
