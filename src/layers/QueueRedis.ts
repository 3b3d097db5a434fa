import { createHash } from "node:crypto"
import type { Queue as BullMQQueue } from "bullmq"
import { Duration, Effect, Layer, Option, Schedule } from "effect"
import type { JobPayload } from "../domain/Action.ts"
import { Config } from "../services/Config.ts"
import {
  type Added,
  IDEMPOTENCY_TTL_MS,
  IdempotencyConflict,
  JobNotFailed,
  JobNotFound,
  type NewJob,
  Queue,
  QueueUnavailable
} from "../services/Queue.ts"
import { BullQueue } from "./BullQueue.ts"
import { toJobView } from "./jobView.ts"
import type { RedisClient } from "./RedisConnection.ts"

/** The contract answers 503 within 2 s while Redis is away. */
export const REDIS_DEADLINE = Duration.millis(1_500)
/** How long a request holding an `Idempotency-Key` may take to store its jobs before the key is free again. */
const PENDING_TTL_MS = 30_000
/** How long a repeat waits for a concurrent first request with the same key to finish. */
const CONCURRENT_WAIT = Duration.seconds(1)

const unavailable = (error: unknown) =>
  new QueueUnavailable({ reason: error instanceof Error ? error.message : String(error) })

const redis = <A>(run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: unavailable }).pipe(
    Effect.timeoutFail({ duration: REDIS_DEADLINE, onTimeout: () => new QueueUnavailable({ reason: "Redis did not answer in time" }) })
  )

/**
 * Adds the jobs in one transaction. If Redis answers too late, the caller has been told 503, so jobs that
 * land after all are removed again rather than delivered unasked.
 */
const addJobs = (queue: BullMQQueue<JobPayload>, jobs: ReadonlyArray<NewJob>) =>
  Effect.suspend(() => {
    const enqueuedAt = Date.now()
    const adding = queue.addBulk(
      jobs.map((job) => ({
        name: job.name,
        data: { name: job.name, params: job.params, targetUrl: job.targetUrl, enqueuedAt },
        opts: { jobId: Bun.randomUUIDv7(), ...(job.delayMs ? { delay: job.delayMs } : {}) }
      }))
    )
    return Effect.tryPromise({ try: () => adding, catch: unavailable }).pipe(
      Effect.timeoutFail({
        duration: REDIS_DEADLINE,
        onTimeout: () => {
          adding.then((added) => Promise.all(added.map((job) => job.remove())), () => undefined).catch(() => undefined)
          return new QueueUnavailable({ reason: "Redis did not answer in time" })
        }
      }),
      Effect.map((added) => added.map((job) => job.id ?? ""))
    )
  })

interface IdempotencyRecord {
  readonly fingerprint: string
  /** Set once the first request's jobs are stored. */
  readonly jobIds?: ReadonlyArray<string>
}

const parseRecord = (raw: string): Option.Option<IdempotencyRecord> => {
  try {
    const value: unknown = JSON.parse(raw)
    return typeof value === "object" && value !== null && "fingerprint" in value && typeof value.fingerprint === "string"
      ? Option.some({
          fingerprint: value.fingerprint,
          ...("jobIds" in value && Array.isArray(value.jobIds) ? { jobIds: value.jobIds.map(String) } : {})
        })
      : Option.none()
  } catch {
    return Option.none()
  }
}

class StillPending {
  readonly _tag = "StillPending"
}

/**
 * `Idempotency-Key`: the first request claims the key (`SET NX`), stores its jobs, then records their ids for
 * 24 hours. A repeat with the same body answers those ids; a concurrent repeat waits briefly for them.
 */
const addOnce = (client: RedisClient, keyPrefix: string, queue: BullMQQueue<JobPayload>, jobs: ReadonlyArray<NewJob>, key: string, fingerprint: string) => {
  const redisKey = `${keyPrefix}:idempotency:${createHash("sha256").update(key).digest("hex")}`
  const firstAnswer = Effect.gen(function* () {
    const jobIds = yield* addJobs(queue, jobs).pipe(
      Effect.tapError(() => redis(() => client.del(redisKey)).pipe(Effect.ignore))
    )
    // The jobs are stored: whatever happens to this write, the answer is 202.
    yield* redis(() => client.set(redisKey, JSON.stringify({ fingerprint, jobIds }), "PX", IDEMPOTENCY_TTL_MS)).pipe(
      Effect.tapError((error) => Effect.logWarning("could not record an idempotency key", error.reason)),
      Effect.ignore
    )
    return { jobIds, duplicate: false } satisfies Added
  })
  const attempt: Effect.Effect<Added, QueueUnavailable | IdempotencyConflict | StillPending> = Effect.gen(function* () {
    const claimed = yield* redis(() => client.set(redisKey, JSON.stringify({ fingerprint }), "PX", PENDING_TTL_MS, "NX"))
    if (claimed === "OK") return yield* firstAnswer
    const raw = yield* redis(() => client.get(redisKey))
    if (raw === null) return yield* Effect.fail(new StillPending())
    const record = parseRecord(raw)
    if (Option.isNone(record) || record.value.fingerprint !== fingerprint) {
      return yield* new IdempotencyConflict({ reason: "this Idempotency-Key was already used with a different request" })
    }
    if (record.value.jobIds === undefined) return yield* Effect.fail(new StillPending())
    return { jobIds: record.value.jobIds, duplicate: true }
  })
  return attempt.pipe(
    Effect.retry({ while: (error) => error instanceof StillPending, schedule: Schedule.spaced("50 millis").pipe(Schedule.upTo(CONCURRENT_WAIT)) }),
    Effect.catchIf(
      (error): error is StillPending => error instanceof StillPending,
      () => new IdempotencyConflict({ reason: "a request with this Idempotency-Key is still being stored; retry shortly" })
    )
  )
}

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
          ? Effect.map(addJobs(queue, jobs), (jobIds): Added => ({ jobIds, duplicate: false }))
          : addOnce(client, keyPrefix, queue, jobs, idempotency.key, idempotency.fingerprint)
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
