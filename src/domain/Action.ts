import { Schema } from "effect"
import { jsonDepth } from "./jsonDepth.ts"

/** One thing the app did offline, as it arrives in `POST /enqueue` and leaves in the webhook body. */
/** 1–200 characters, counted as a person counts them (code points, so an emoji is one). */
export const ActionName = Schema.String.pipe(
  Schema.filter((name) => {
    const characters = [...name].length
    return characters < 1 ? "name must not be empty" : characters > 200 ? "name must be at most 200 characters" : true
  })
).annotations({ description: "1–200 characters.", jsonSchema: { type: "string", minLength: 1, maxLength: 200 } })

/** Delays beyond a year are almost certainly a unit mistake (seconds vs. milliseconds). */
export const MAX_DELAY_MS = 365 * 24 * 60 * 60 * 1000

/** Deeper nesting than this is refused: no real action needs it, and it is a classic way to exhaust a parser. */
export const MAX_PARAMS_DEPTH = 32
/** A whole body nested deeper than this is refused before decoding, so no error report has to walk it. */
export const MAX_BODY_DEPTH = 64

export const Params = Schema.Unknown.pipe(
  Schema.filter((value) => jsonDepth(value, MAX_PARAMS_DEPTH) <= MAX_PARAMS_DEPTH, {
    message: () => `params must not nest deeper than ${MAX_PARAMS_DEPTH} levels`
  })
).annotations({ description: "Any JSON value, delivered unchanged." })

export const Action = Schema.Struct({
  name: ActionName,
  // `exact`: JSON has no `undefined`, and without it a refused `params` is reported twice.
  params: Schema.optionalWith(Params, { default: () => null, exact: true }),
  delayMs: Schema.optional(
    Schema.Int.pipe(
      Schema.between(0, MAX_DELAY_MS, { message: () => `delayMs must be an integer from 0 to ${MAX_DELAY_MS}` })
    ).annotations({ title: "delayMs", description: "Deliver no earlier than this many milliseconds from now (at most a year)." })
  )
}).annotations({
  identifier: "Action",
  description: "One action to deliver. `params` is any JSON value and reaches the receiver unchanged.",
  examples: [{ name: "CREATE_ORDER", params: { data: { total: 45 }, tenantId: "t_123" }, delayMs: 0 }]
})
export type Action = typeof Action.Type

export const EnqueueRequest = Schema.Struct({
  actions: Schema.Array(Action),
  targetUrl: Schema.optional(
    Schema.String.annotations({
      description: "An http(s) URL on an origin of TARGET_URL_ALLOWLIST; DEFAULT_TARGET_URL when absent.",
      examples: ["https://myapp.com/api/process-queue"]
    })
  )
}).annotations({
  identifier: "EnqueueRequest",
  description: "A burst of actions, delivered in order of submission to `targetUrl` or the default target.",
  examples: [
    {
      actions: [{ name: "CREATE_ORDER", params: { data: { total: 45 }, tenantId: "t_123" }, delayMs: 0 }],
      targetUrl: "https://myapp.com/api/process-queue"
    }
  ]
})
export type EnqueueRequest = typeof EnqueueRequest.Type

export const JobIds = Schema.Array(Schema.String)

export const EnqueueAccepted = Schema.Struct({
  queued: Schema.Int,
  jobIds: JobIds
}).annotations({
  identifier: "EnqueueAccepted",
  description: "Queued: one job id per action, in the order of `actions`.",
  examples: [{ queued: 1, jobIds: ["0193a1f0-6f1e-7c3a-9a52-1c2d3e4f5a6b"] }]
})

export const EnqueueDuplicate = Schema.Struct({
  duplicate: Schema.Literal(true),
  queued: Schema.Int,
  jobIds: JobIds
}).annotations({
  identifier: "EnqueueDuplicate",
  description: "The first answer to this `Idempotency-Key`: nothing new was queued.",
  examples: [{ duplicate: true, queued: 1, jobIds: ["0193a1f0-6f1e-7c3a-9a52-1c2d3e4f5a6b"] }]
})

/** What a job holds in Redis: the action, where it goes, and when it was accepted. */
export interface JobPayload {
  readonly name: string
  readonly params: unknown
  readonly targetUrl: string
  readonly enqueuedAt: number
}

/** The exact bytes that are signed and sent: `{"name":…,"params":…}`. */
export const webhookBody = (job: Pick<JobPayload, "name" | "params">): string =>
  JSON.stringify({ name: job.name, params: job.params })
