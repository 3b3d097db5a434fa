import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq"
import { Effect, Exit, Layer, Option, Runtime } from "effect"
import type { JobPayload } from "../domain/Action.ts"
import type { DeliveryOutcome } from "../domain/DeliveryOutcome.ts"
import { Config } from "../services/Config.ts"
import { DeliveryWorker } from "../services/DeliveryWorker.ts"
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
    status: outcome._tag === "Retryable" ? Option.getOrNull(outcome.status) : outcome.status,
    reason: outcome.reason,
    body: outcome.body,
    durationMs: Math.round(outcome.durationMs)
  })

const failureMessage = (outcome: Exclude<DeliveryOutcome, { _tag: "Delivered" }>) =>
  outcome.body.length > 0 ? `${outcome.reason}: ${outcome.body.slice(0, 200)}` : outcome.reason

/** The lock must outlast the slowest attempt, or a second worker could start the same job. */
export const lockDurationFor = (dispatchTimeoutMs: number) => Math.max(30_000, dispatchTimeoutMs * 3)
/** A worker that dies is not the job's fault: a stalled job is put back, practically without limit. */
export const MAX_STALLED_COUNT = 1_000

export const WorkerBullMQ = Layer.scoped(
  DeliveryWorker,
  Effect.gen(function* () {
    const config = yield* Config
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
      const controller = new AbortController()
      inFlight.add(controller)
      const exit = await runDelivery(deliverJob({ id: job.id ?? "", data: job.data, attempt }), {
        signal: controller.signal
      }).finally(() => inFlight.delete(controller))
      if (Exit.isFailure(exit)) {
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
      concurrency: config.dispatchConcurrency,
      lockDuration: lockDurationFor(config.dispatchTimeoutMs),
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

    const stop = Effect.promise(async () => {
      const closing = worker.close()
      const deadline = new Promise<"deadline">((resolve) => setTimeout(resolve, config.shutdownTimeoutMs, "deadline").unref())
      if ((await Promise.race([closing, deadline])) === "deadline") {
        for (const controller of inFlight) controller.abort()
        // Jobs are being put back; if Redis is gone too, give up after a short grace.
        await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 2_000).unref())])
      }
    }).pipe(Effect.withSpan("Worker.stop"))

    yield* Effect.addFinalizer(() => stop)
    return {
      ready: Effect.sync(() => worker.isRunning() && client.status === "ready"),
      stop
    }
  })
)
