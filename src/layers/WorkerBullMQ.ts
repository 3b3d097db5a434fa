import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq"
import { hostname } from "node:os"
import { Cause, Duration, Effect, Exit, Fiber, Layer, Option, Runtime, Schedule } from "effect"
import type { JobPayload } from "../domain/Action.ts"
import type { DeliveryOutcome } from "../domain/DeliveryOutcome.ts"
import { Config } from "../services/Config.ts"
import { DeliveryWorker } from "../services/DeliveryWorker.ts"
import { type DeliveryCount, Metrics } from "../services/Metrics.ts"
import type { Dispatcher } from "../services/Dispatcher.ts"
import type { Signer } from "../services/Signer.ts"
import { backoffDelay } from "../worker/backoff.ts"
import { deliverJob } from "../worker/deliverJob.ts"
import { BACKOFF_TYPE, bullQueueOptions } from "./BullQueue.ts"
import { acquireRedisClient } from "./RedisConnection.ts"

/** Thrown to BullMQ for a retryable outcome; carries the receiver's `Retry-After` to the backoff strategy. */
export class RetryableDelivery extends Error {
  constructor(readonly reason: string, readonly retryAfterMs: number | undefined) {
    super(reason)
    this.name = "RetryableDelivery"
    this.stack = reason
  }
}

/** Thrown to BullMQ for a permanent outcome: failed at once. Its stack is the reason alone, for the dashboard. */
export class PermanentDelivery extends UnrecoverableError {
  constructor(readonly reason: string) {
    super(reason)
    this.name = "PermanentDelivery"
    this.stack = reason
  }
}

/** What the job keeps of a failed attempt (in its log, shown by the dashboard and `GET /jobs/:id`). */
export const attemptRecord = (attempt: number, outcome: Exclude<DeliveryOutcome, { _tag: "Delivered" }>) =>
  JSON.stringify({
    attempt,
    at: new Date().toISOString(),
    outcome: outcome._tag,
    status: Option.getOrNull(outcome.status),
    reason: outcome.reason,
    body: outcome.body,
    durationMs: Math.round(outcome.durationMs)
  })

const failureMessage = (outcome: Exclude<DeliveryOutcome, { _tag: "Delivered" }>) =>
  outcome.body.length > 0 ? `${outcome.reason}: ${outcome.body.slice(0, 200)}` : outcome.reason

/** Below this, a pause of the process (GC, a busy machine) could cost a job its lock while it runs. */
const LOCK_FLOOR_MS = 5_000
/** The lock must outlast the slowest attempt, or a second worker could start the same job. */
export const lockDurationFor = (dispatchTimeoutMs: number) => Math.max(LOCK_FLOOR_MS, dispatchTimeoutMs * 3)
/**
 * How often a worker looks for jobs whose worker died (lock expired). BullMQ's default is 30 s; jobs of a
 * killed worker come back within a lock duration plus two of these. One check per interval runs per queue,
 * whatever the number of workers, so a short interval costs little.
 */
export const STALLED_INTERVAL_MS = 5_000
/** A worker that dies is not the job's fault: a stalled job is put back, practically without limit. */
export const MAX_STALLED_COUNT = 1_000
/** After the shutdown deadline, how long aborted deliveries get to be put back in the queue. */
const PUT_BACK_GRACE = Duration.seconds(2)

/** How an attempt is counted: a retryable failure on the last attempt fails the job. */
const countOf = (outcome: DeliveryOutcome, lastAttempt: boolean): DeliveryCount =>
  outcome._tag === "Delivered" ? "success" : outcome._tag === "Retryable" && !lastAttempt ? "retry" : "failed"

export const WorkerBullMQ = Layer.scoped(
  DeliveryWorker,
  Effect.gen(function* () {
    const config = yield* Config
    const metrics = yield* Metrics
    const runtime = yield* Effect.runtime<Signer | Dispatcher>()
    const runDelivery = Runtime.runPromiseExit(runtime)
    const client = yield* acquireRedisClient(config.redis, {
      offlineQueue: true,
      maxRetriesPerRequest: null,
      name: "nexora-worker"
    })
    const inFlight = new Set<AbortController>()

    const processor = async (job: Job<JobPayload>, token?: string) => {
      const attempt = job.attemptsMade + 1
      const lastAttempt = attempt >= (job.opts.attempts ?? 1)
      const controller = new AbortController()
      inFlight.add(controller)
      const delivery = deliverJob({ id: job.id ?? "", data: job.data, attempt }).pipe(
        Effect.tap((outcome) => metrics.delivery(countOf(outcome, lastAttempt), outcome.durationMs))
      )
      const exit = await runDelivery(delivery, { signal: controller.signal }).finally(() => inFlight.delete(controller))
      if (Exit.isFailure(exit)) {
        // A defect is an attempt like any other; only a shutdown's abort is not counted.
        if (!Cause.isInterruptedOnly(exit.cause)) throw new Error(Cause.pretty(exit.cause))
        // Interrupted by a shutdown past its deadline: back to the queue, no attempt counted.
        await job.moveToDelayed(Date.now(), token)
        throw new DelayedError()
      }
      const outcome = exit.value
      if (outcome._tag === "Delivered") return { status: outcome.status, attempt }
      await job.log(attemptRecord(attempt, outcome)).catch(() => undefined)
      if (outcome._tag === "Permanent") throw new PermanentDelivery(failureMessage(outcome))
      throw new RetryableDelivery(failureMessage(outcome), Option.getOrUndefined(outcome.retryAfterMs))
    }

    const worker = new Worker<JobPayload>(config.queueName, processor, {
      connection: client,
      prefix: bullQueueOptions(config).prefix,
      // Shown as the job's `processedBy` (dashboard, `GET /jobs/:id`): which process delivered it.
      name: `${hostname()}:${process.pid}`,
      concurrency: config.dispatchConcurrency,
      lockDuration: lockDurationFor(config.dispatchTimeoutMs),
      stalledInterval: STALLED_INTERVAL_MS,
      maxStalledCount: MAX_STALLED_COUNT,
      autorun: true,
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string, error?: Error) =>
          type === BACKOFF_TYPE || type === undefined
            ? backoffDelay(
                attemptsMade,
                config.backoffDelayMs,
                error instanceof RetryableDelivery ? error.retryAfterMs : undefined
              )
            : config.backoffDelayMs
      }
    })
    worker.on("error", (error) => Runtime.runFork(runtime)(Effect.logWarning("worker error", error.message)))

    /** Resolves when waiting longer is pointless: no delivery runs and Redis, needed to record them, is away. */
    const stranded = Effect.repeat(
      Effect.sync(() => inFlight.size === 0 && client.status !== "ready"),
      { until: (done) => done, schedule: Schedule.spaced("100 millis") }
    )

    // Finalizers run uninterruptibly; the waits are raced, so the loser must be interruptible.
    const closedOrStranded = (closing: Fiber.Fiber<void>) =>
      Effect.race(Effect.interruptible(Fiber.join(closing)), Effect.interruptible(stranded))

    // Stops fetching at once; waits for deliveries in flight up to the deadline, then aborts and puts them back.
    const stop = yield* Effect.cached(
      Effect.gen(function* () {
        // A daemon, and interruptible: forked inside a finalizer it would inherit uninterruptibility, and the
        // process could not exit while `close` waits for a Redis that never comes back.
        const closing = yield* Effect.forkDaemon(Effect.interruptible(Effect.promise(() => worker.close().catch(() => undefined))))
        const finished = yield* closedOrStranded(closing).pipe(Effect.timeout(Duration.millis(config.shutdownTimeoutMs)), Effect.option)
        if (Option.isSome(finished)) return
        yield* Effect.logWarning("shutdown deadline reached: putting deliveries in flight back in the queue").pipe(
          Effect.annotateLogs({ inFlight: inFlight.size })
        )
        for (const controller of inFlight) controller.abort()
        // If Redis is gone too, the jobs stay active and come back once their lock expires.
        yield* closedOrStranded(closing).pipe(Effect.timeout(PUT_BACK_GRACE), Effect.ignore)
      }).pipe(Effect.withSpan("Worker.stop"))
    )

    yield* Effect.addFinalizer(() => stop)
    return {
      ready: Effect.sync(() => worker.isRunning() && client.status === "ready"),
      stop
    }
  })
)
