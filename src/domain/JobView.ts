import { Schema } from "effect"

/** One failed attempt as the job keeps it: the receiver's status or the network error, and its answer's first 1 KiB. */
export const AttemptRecord = Schema.Struct({
  attempt: Schema.Int,
  at: Schema.String,
  outcome: Schema.Literal("Retryable", "Permanent"),
  status: Schema.NullOr(Schema.Int),
  reason: Schema.String,
  body: Schema.String,
  durationMs: Schema.Number
}).annotations({ identifier: "AttemptRecord" })
export type AttemptRecord = typeof AttemptRecord.Type

export const JobState = Schema.Literal("waiting", "active", "delayed", "completed", "failed", "prioritized", "waiting-children", "unknown")

/** The documented example's one failed attempt: both the last attempt and the whole history. */
const exampleAttempt = {
  attempt: 1,
  at: "2026-03-01T10:00:00.180Z",
  outcome: "Permanent" as const,
  status: 422,
  reason: "HTTP 422: unknown product",
  body: "unknown product",
  durationMs: 58
}

export const JobView = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  params: Schema.Unknown,
  targetUrl: Schema.String,
  state: JobState,
  /** Attempts made so far (failed ones, plus the successful one once completed). */
  attemptsMade: Schema.Int,
  maxAttempts: Schema.Int,
  enqueuedAt: Schema.String,
  /** For a delayed job: not delivered before this time. */
  deliverAfter: Schema.NullOr(Schema.String),
  processedAt: Schema.NullOr(Schema.String),
  finishedAt: Schema.NullOr(Schema.String),
  failedReason: Schema.NullOr(Schema.String),
  lastAttempt: Schema.NullOr(AttemptRecord),
  /** Failed attempts, oldest first. */
  history: Schema.Array(AttemptRecord)
}).annotations({
  identifier: "JobView",
  description: "A job's state and the history of its failed attempts.",
  examples: [
    {
      id: "0193a1f0-6f1e-7c3a-9a52-1c2d3e4f5a6b",
      name: "CREATE_ORDER",
      params: { data: { total: 45 }, tenantId: "t_123" },
      targetUrl: "https://myapp.com/api/process-queue",
      state: "failed",
      attemptsMade: 1,
      maxAttempts: 10,
      enqueuedAt: "2026-03-01T10:00:00.000Z",
      deliverAfter: null,
      processedAt: "2026-03-01T10:00:00.120Z",
      finishedAt: "2026-03-01T10:00:00.180Z",
      failedReason: "HTTP 422: unknown product",
      lastAttempt: exampleAttempt,
      history: [exampleAttempt]
    }
  ]
})
export type JobView = typeof JobView.Type

export const RetryFailedFilter = Schema.Struct({
  name: Schema.optional(Schema.String.pipe(Schema.minLength(1))).annotations({ description: "Only jobs of this action name." }),
  from: Schema.optional(Schema.Date).annotations({ description: "Only jobs that failed at or after this time (ISO 8601)." }),
  to: Schema.optional(Schema.Date).annotations({ description: "Only jobs that failed at or before this time (ISO 8601)." })
}).annotations({ identifier: "RetryFailedFilter" })
export type RetryFailedFilter = typeof RetryFailedFilter.Type

export const RetryAnswer = Schema.Struct({ id: Schema.String, state: Schema.Literal("waiting") }).annotations({
  identifier: "RetryAnswer",
  description: "The job is back in the queue.",
  examples: [{ id: "0193a1f0-6f1e-7c3a-9a52-1c2d3e4f5a6b", state: "waiting" }]
})
export const RetryFailedAnswer = Schema.Struct({ replayed: Schema.Int }).annotations({
  identifier: "RetryFailedAnswer",
  description: "How many failed jobs were put back in the queue.",
  examples: [{ replayed: 12 }]
})
