import { Effect, Layer } from "effect"
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client"
import { type DeliveryCount, Metrics } from "../services/Metrics.ts"
import { Queue, QUEUE_STATES } from "../services/Queue.ts"

/** Seconds, from a receiver on the same network up to past the default 10 s attempt timeout. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const OUTCOMES: ReadonlyArray<DeliveryCount> = ["success", "retry", "failed"]

/** Metrics on `prom-client`, in a registry of their own, with the process's default metrics. */
export const MetricsPrometheus = Layer.effect(
  Metrics,
  Effect.gen(function* () {
    const queue = yield* Queue
    const register = new Registry()
    const registers = [register]
    collectDefaultMetrics({ register })
    const enqueued = new Counter({
      name: "nexora_enqueued_actions_total",
      help: "Actions accepted by POST /enqueue in this process.",
      registers
    })
    const deliveries = new Counter({
      name: "nexora_deliveries_total",
      help: "Delivery attempts made by this process: success (2xx), retry (will be tried again), failed (will not).",
      labelNames: ["outcome"] as const,
      registers
    })
    // Every outcome is present from the start, so a rate over it is 0 rather than missing.
    for (const outcome of OUTCOMES) deliveries.inc({ outcome }, 0)
    const duration = new Histogram({
      name: "nexora_delivery_duration_seconds",
      help: "Duration of delivery attempts made by this process, connect included.",
      buckets: DURATION_BUCKETS,
      registers
    })
    const jobs = new Gauge({
      name: "nexora_queue_jobs",
      help: "Jobs in the queue per state, read from Redis at scrape time (the same in every process).",
      labelNames: ["state"] as const,
      registers
    })

    const readQueue = queue.counts.pipe(
      Effect.tap((counts) => Effect.sync(() => QUEUE_STATES.forEach((state) => jobs.set({ state }, counts[state])))),
      // Stale numbers would look like a healthy queue: during an outage the gauge has no samples.
      Effect.tapError(() => Effect.sync(() => jobs.reset())),
      Effect.ignore
    )

    return {
      enqueued: (actions) => Effect.sync(() => enqueued.inc(actions)),
      delivery: (outcome, durationMs) =>
        Effect.sync(() => {
          deliveries.inc({ outcome })
          duration.observe(durationMs / 1000)
        }),
      exposition: readQueue.pipe(
        Effect.zipRight(Effect.promise(() => register.metrics())),
        Effect.map((body) => ({ contentType: register.contentType, body })),
        Effect.withSpan("Metrics.exposition")
      )
    }
  })
)
