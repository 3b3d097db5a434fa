import { Duration, Effect } from "effect"
import { QueueUnavailable } from "../services/Queue.ts"

/** The contract answers 503 within 2 s while Redis is away. */
export const REDIS_DEADLINE = Duration.millis(1_500)

export const unavailable = (error: unknown) =>
  new QueueUnavailable({ reason: error instanceof Error ? error.message : String(error) })

class DeadlineExceeded {
  readonly _tag = "DeadlineExceeded"
}

/**
 * `run()`'s promise, or a rejection once `ms` pass: one timer and no fiber. This runs on every request, where
 * `Effect.timeoutFail` (a fiber and a race) cost more than the Redis call itself.
 */
const withinDeadline = <A>(ms: number, run: () => Promise<A>): Promise<A> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineExceeded()), ms)
    run().then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      }
    )
  })

/** A Redis call that fails, or does not answer within `ms`, is `QueueUnavailable`. */
export const redisWithin = <A>(ms: number, run: () => Promise<A>) =>
  Effect.tryPromise({
    try: () => withinDeadline(ms, run),
    catch: (error) =>
      error instanceof DeadlineExceeded ? new QueueUnavailable({ reason: "Redis did not answer in time" }) : unavailable(error)
  })

/** One Redis call for the API: a failure or no answer within the deadline is `QueueUnavailable`. */
export const redis = <A>(run: () => Promise<A>) => redisWithin(Duration.toMillis(REDIS_DEADLINE), run)
