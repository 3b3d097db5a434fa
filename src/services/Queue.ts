import { Context, Data, type Effect } from "effect"

/** Redis did not answer in time; nothing of the operation was done. */
export class QueueUnavailable extends Data.TaggedError("QueueUnavailable")<{ readonly reason: string }> {}

export interface NewJob {
  readonly name: string
  readonly params: unknown
  readonly targetUrl: string
  readonly delayMs?: number | undefined
}

/** Durable storage of actions waiting for delivery. */
export class Queue extends Context.Tag("nexora/Queue")<
  Queue,
  {
    /** Stores every job or none; answers their ids in the order given. */
    readonly add: (jobs: ReadonlyArray<NewJob>) => Effect.Effect<ReadonlyArray<string>, QueueUnavailable>
    /** Succeeds when Redis answers. */
    readonly ping: Effect.Effect<void, QueueUnavailable>
  }
>() {}
