import { Context, type Effect } from "effect"

/** The process's delivery loop, present where `ROLE` includes the worker. */
export class DeliveryWorker extends Context.Tag("nexora/DeliveryWorker")<
  DeliveryWorker,
  {
    /** True while the worker runs and its Redis connection is up. */
    readonly ready: Effect.Effect<boolean>
    /** Stops taking jobs; waits for deliveries in flight up to the shutdown timeout, then puts the rest back. */
    readonly stop: Effect.Effect<void>
  }
>() {}
