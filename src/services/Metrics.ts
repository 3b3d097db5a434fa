import { Context, type Effect } from "effect"

/** How one delivery attempt ended, as counted: `retry` will be tried again, `failed` will not. */
export type DeliveryCount = "success" | "retry" | "failed"

export interface Exposition {
  readonly contentType: string
  readonly body: string
}

/** Counters of this process and a Prometheus exposition of them, with the queue's gauges. */
export class Metrics extends Context.Tag("nexora/Metrics")<
  Metrics,
  {
    readonly enqueued: (actions: number) => Effect.Effect<void>
    readonly delivery: (outcome: DeliveryCount, durationMs: number) => Effect.Effect<void>
    /**
     * The text a Prometheus scrape receives, with the queue's gauges read from Redis at that moment (so every
     * process reports the same); never fails: during a Redis outage the gauges are left out.
     */
    readonly exposition: Effect.Effect<Exposition>
  }
>() {}
