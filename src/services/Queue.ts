import { Context, Data, type Effect, type Option } from "effect"
import type { JobView, RetryFailedFilter } from "../domain/JobView.ts"

/** Redis did not answer in time; nothing of the operation was done. */
export class QueueUnavailable extends Data.TaggedError("QueueUnavailable")<{ readonly reason: string }> {}
/** No job has this id (never existed, or removed by retention). */
export class JobNotFound extends Data.TaggedError("JobNotFound")<{ readonly id: string }> {}
/** Only a failed job can be replayed. */
export class JobNotFailed extends Data.TaggedError("JobNotFailed")<{ readonly id: string; readonly state: string }> {}
/** The `Idempotency-Key` was used within 24 hours for another request, or that request is still being stored. */
export class IdempotencyConflict extends Data.TaggedError("IdempotencyConflict")<{ readonly reason: string }> {}

export interface NewJob {
  readonly name: string
  readonly params: unknown
  readonly targetUrl: string
  readonly delayMs?: number | undefined
}

export interface Idempotency {
  readonly key: string
  /** A digest of the request, to tell a true repeat from a reused key. */
  readonly fingerprint: string
}

export interface Added {
  readonly jobIds: ReadonlyArray<string>
  /** True when the key was seen before: nothing new was stored, `jobIds` are the first answer's. */
  readonly duplicate: boolean
}

/** The job states counted by `counts` (the `nexora_queue_jobs` gauge). */
export const QUEUE_STATES = ["waiting", "active", "delayed", "failed", "completed"] as const
export type QueueState = (typeof QUEUE_STATES)[number]

/** How long an `Idempotency-Key` is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000

/** Durable storage of actions waiting for delivery. */
export class Queue extends Context.Tag("nexora/Queue")<
  Queue,
  {
    /** Stores every job or none; answers their ids in the order given. */
    readonly add: (
      jobs: ReadonlyArray<NewJob>,
      idempotency?: Idempotency
    ) => Effect.Effect<Added, QueueUnavailable | IdempotencyConflict>
    readonly get: (id: string) => Effect.Effect<Option.Option<JobView>, QueueUnavailable>
    /** Puts one failed job back in the queue, keeping its id (the webhook-id). */
    readonly retry: (id: string) => Effect.Effect<void, QueueUnavailable | JobNotFound | JobNotFailed>
    /** Puts back every failed job that matches; answers how many. */
    readonly retryFailed: (filter: RetryFailedFilter) => Effect.Effect<number, QueueUnavailable>
    /** How many jobs are in each state now, across every process. */
    readonly counts: Effect.Effect<Record<QueueState, number>, QueueUnavailable>
    /** Succeeds when Redis answers. */
    readonly ping: Effect.Effect<void, QueueUnavailable>
  }
>() {}
