import { Effect, Layer, Option } from "effect"
import { Config } from "../services/Config.ts"
import { type Added, JobNotFailed, JobNotFound, Queue } from "../services/Queue.ts"
import { BullQueue } from "./BullQueue.ts"
import { addJobsGuarded } from "./addJobsGuarded.ts"
import { addOnce } from "./idempotencyRedis.ts"
import { toJobView } from "./jobView.ts"
import { redis } from "./redisCall.ts"

/** Jobs in BullMQ on Redis; each job id is a fresh time-ordered UUID, also the webhook's `webhook-id`. */
export const QueueRedis = Layer.effect(
  Queue,
  Effect.gen(function* () {
    const { queue, client } = yield* BullQueue
    const { queueName } = yield* Config
    const keyPrefix = `${queue.opts.prefix ?? "bull"}:${queueName}`
    const getJob = (id: string) => redis(() => queue.getJob(id)).pipe(Effect.map(Option.fromNullable))

    return {
      add: (jobs, idempotency) =>
        (idempotency === undefined
          ? Effect.map(addJobsGuarded(queue, client, jobs), (jobIds): Added => ({ jobIds, duplicate: false }))
          : addOnce(client, keyPrefix, addJobsGuarded(queue, client, jobs), idempotency)
        ).pipe(Effect.withSpan("Queue.add")),

      get: (id) =>
        getJob(id).pipe(
          Effect.flatMap(
            Option.match({
              onNone: () => Effect.succeedNone,
              onSome: (job) =>
                redis(() => Promise.all([job.getState(), queue.getJobLogs(id)])).pipe(
                  Effect.map(([state, { logs }]) => Option.some(toJobView(job, state, logs)))
                )
            })
          ),
          Effect.withSpan("Queue.get")
        ),

      retry: (id) =>
        Effect.gen(function* () {
          const job = yield* getJob(id)
          if (Option.isNone(job)) return yield* new JobNotFound({ id })
          const state = yield* redis(() => job.value.getState())
          if (state !== "failed") return yield* new JobNotFailed({ id, state })
          yield* redis(() => job.value.retry("failed"))
        }).pipe(Effect.withSpan("Queue.retry")),

      retryFailed: (filter) =>
        Effect.gen(function* () {
          const page = 500
          const matching: Array<string> = []
          // Collected first, then replayed: the failed list shrinks as jobs leave it.
          for (let start = 0; ; start += page) {
            const jobs = yield* redis(() => queue.getFailed(start, start + page - 1))
            for (const job of jobs) {
              const failedAt = job.finishedOn ?? 0
              if (filter.name !== undefined && job.name !== filter.name) continue
              if (filter.from !== undefined && failedAt < filter.from.getTime()) continue
              if (filter.to !== undefined && failedAt > filter.to.getTime()) continue
              if (job.id !== undefined) matching.push(job.id)
            }
            if (jobs.length < page) break
          }
          let replayed = 0
          for (const id of matching) {
            const job = yield* getJob(id)
            if (Option.isNone(job)) continue
            // A job that left the failed state meanwhile is skipped; if Redis is gone, the next read fails.
            const moved = yield* redis(() => job.value.retry("failed")).pipe(
              Effect.as(true),
              Effect.orElseSucceed(() => false)
            )
            if (moved) replayed++
          }
          return replayed
        }).pipe(Effect.withSpan("Queue.retryFailed")),

      counts: redis(() => queue.getJobCounts("wait", "prioritized", "active", "delayed", "failed", "completed")).pipe(
        Effect.map((counts) => ({
          waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
          completed: counts.completed ?? 0
        })),
        Effect.withSpan("Queue.counts")
      ),

      ping: redis(() => client.ping()).pipe(Effect.asVoid)
    }
  })
)
