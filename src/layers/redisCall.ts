import { Duration, Effect } from "effect"
import { QueueUnavailable } from "../services/Queue.ts"

/** The contract answers 503 within 2 s while Redis is away. */
export const REDIS_DEADLINE = Duration.millis(1_500)

export const unavailable = (error: unknown) =>
  new QueueUnavailable({ reason: error instanceof Error ? error.message : String(error) })

/** One Redis call for the API: a failure or no answer within the deadline is `QueueUnavailable`. */
export const redis = <A>(run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: unavailable }).pipe(
    Effect.timeoutFail({ duration: REDIS_DEADLINE, onTimeout: () => new QueueUnavailable({ reason: "Redis did not answer in time" }) })
  )
