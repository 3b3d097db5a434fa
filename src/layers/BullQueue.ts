import { Queue as BullMQQueue } from "bullmq"
import { Context, Effect, Layer } from "effect"
import type { JobPayload } from "../domain/Action.ts"
import { Config, type Settings } from "../services/Config.ts"
import { acquireRedisClient, closeWithin, queuePrefixFor, type RedisClient } from "./RedisConnection.ts"

/** The name of the backoff strategy the worker registers (see `backoff.ts`). */
export const BACKOFF_TYPE = "nexora"
/** The events stream is a debugging aid; capping it keeps Redis memory flat. */
export const EVENTS_MAX_LEN = 1_000

/** The BullMQ queue and the fail-fast client it runs on, shared by the Queue layer and the dashboard. */
export class BullQueue extends Context.Tag("nexora/BullQueue")<
  BullQueue,
  { readonly queue: BullMQQueue<JobPayload>; readonly client: RedisClient }
>() {}

export const bullQueueOptions = (config: Settings) => ({
  prefix: queuePrefixFor(config.redis, config.queuePrefix),
  streams: { events: { maxLen: EVENTS_MAX_LEN } },
  defaultJobOptions: {
    attempts: config.maxAttempts,
    backoff: { type: BACKOFF_TYPE, delay: config.backoffDelayMs },
    removeOnComplete: { count: config.keepCompleted },
    removeOnFail: { count: config.keepFailed },
    // One log line per failed attempt; replays can add more, so the history is capped too.
    keepLogs: Math.max(config.maxAttempts, 10) * 2
  }
})

export const BullQueueLive = Layer.scoped(
  BullQueue,
  Effect.gen(function* () {
    const config = yield* Config
    const client = yield* acquireRedisClient(config.redis, {
      offlineQueue: false,
      maxRetriesPerRequest: 1,
      name: "nexora-api"
    })
    const queue = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const queue = new BullMQQueue<JobPayload>(config.queueName, { connection: client, ...bullQueueOptions(config) })
        queue.on("error", () => undefined)
        return queue
      }),
      (queue) => closeWithin(() => queue.close())
    )
    return { queue, client }
  })
)
