import { Duration, Effect, Layer } from "effect"
import { Queue, QueueUnavailable } from "../services/Queue.ts"
import { BullQueue } from "./BullQueue.ts"

/** The contract answers 503 within 2 s while Redis is away. */
export const REDIS_DEADLINE = Duration.millis(1_500)

const unavailable = (error: unknown) =>
  new QueueUnavailable({ reason: error instanceof Error ? error.message : String(error) })

const withDeadline = <A>(run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: unavailable }).pipe(
    Effect.timeoutFail({ duration: REDIS_DEADLINE, onTimeout: () => new QueueUnavailable({ reason: "Redis did not answer in time" }) })
  )

/** Jobs in BullMQ on Redis; each job id is a fresh time-ordered UUID, also the webhook's `webhook-id`. */
export const QueueRedis = Layer.effect(
  Queue,
  Effect.gen(function* () {
    const { queue, client } = yield* BullQueue
    return {
      add: (jobs) =>
        withDeadline(() => {
          const enqueuedAt = Date.now()
          return queue.addBulk(
            jobs.map((job) => ({
              name: job.name,
              data: { name: job.name, params: job.params, targetUrl: job.targetUrl, enqueuedAt },
              opts: { jobId: Bun.randomUUIDv7(), ...(job.delayMs ? { delay: job.delayMs } : {}) }
            }))
          )
        }).pipe(
          Effect.map((added) => added.map((job) => job.id ?? "")),
          Effect.withSpan("Queue.add")
        ),
      ping: withDeadline(() => client.ping()).pipe(Effect.asVoid)
    }
  })
)
