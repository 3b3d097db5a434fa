import { HttpApiBuilder, HttpServer } from "@effect/platform"
import { Effect, Layer, Option, Redacted, Schema } from "effect"
import { ApiLive } from "../../src/http/ApiLive.ts"
import { apiResponses } from "../../src/http/responseHeaders.ts"
import { makeQueueMemory } from "../../src/layers/QueueMemory.ts"
import { TargetPolicyAllowlist } from "../../src/layers/TargetPolicyAllowlist.ts"
import { Config, type Settings } from "../../src/services/Config.ts"
import { HostResolver, HostUnresolved, type ResolvedAddress } from "../../src/services/HostResolver.ts"
import { Lifecycle } from "../../src/services/Lifecycle.ts"
import { TEST_SECRET, TEST_TOKEN } from "./server.ts"

/** Settings as `ConfigEnv` would read them from a minimal environment, with `overrides` on top. */
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
  role: "all",
  dispatchConcurrency: 50,
  dispatchTimeoutMs: 5_000,
  maxAttempts: 10,
  backoffDelayMs: 1_000,
  maxBodyBytes: 1_048_576,
  maxActionsPerRequest: 1_000,
  keepCompleted: 1_000,
  keepFailed: 10_000,
  shutdownTimeoutMs: 1_000,
  logLevel: "none",
  logFormat: "json",
  ...overrides
})

const addressOf = (address: string): ResolvedAddress => ({ address, family: address.includes(":") ? 6 : 4 })

/**
 * A resolver that answers from `table` (name → addresses, asked afresh on every lookup so a test can change
 * its answers between two lookups); a name it does not hold does not resolve.
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

/** The HTTP API as a web handler, on the in-memory queue: everything in front of Redis, in this process. */
export const makeInProcessApi = (
  settings: Settings = testSettings(),
  resolver: Layer.Layer<HostResolver> = tableResolver({})
) => {
  const memory = makeQueueMemory()
  const { handler, dispose } = HttpApiBuilder.toWebHandler(
    Layer.mergeAll(ApiLive, HttpServer.layerContext).pipe(
      Layer.provide([memory.layer, TargetPolicyAllowlist.pipe(Layer.provide(resolver)), Lifecycle.Live]),
      Layer.provide(Layer.succeed(Config, settings))
    ),
    // The same answers as the server: its 404 body and `WWW-Authenticate` on 401.
    { middleware: (app) => Effect.orDie(apiResponses(app)) }
  )
  const enqueue = (body: unknown, headers: Record<string, string> = {}) =>
    handler(
      new Request("http://api.test/enqueue", {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body)
      })
    )
  return { handler, enqueue, dispose, queued: memory.state.jobs, memory: memory.state }
}

const AnswerBody = Schema.Struct({ error: Schema.optional(Schema.String), message: Schema.optional(Schema.String) })

/** A JSON answer's `error` and `message`, whichever it has. */
export const answerBody = async (response: Response) => Schema.decodeUnknownSync(AnswerBody)(await response.json())

const Accepted = Schema.Struct({ queued: Schema.Number, jobIds: Schema.Array(Schema.String) })

/** A 202's job ids. */
export const acceptedIds = async (response: Response) => Schema.decodeUnknownSync(Accepted)(await response.json()).jobIds
