import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { ServiceUnavailable } from "../../domain/HttpErrors.ts"
import { DeliveryWorker } from "../../services/DeliveryWorker.ts"
import { Queue } from "../../services/Queue.ts"
import { Api } from "../Api.ts"
import { Lifecycle } from "../../services/Lifecycle.ts"

export const SystemLive = HttpApiBuilder.group(Api, "system", (handlers) =>
  Effect.gen(function* () {
    const queue = yield* Queue
    const worker = yield* Effect.serviceOption(DeliveryWorker)
    const lifecycle = yield* Lifecycle
    const notReady = (message: string) => new ServiceUnavailable({ message })
    return handlers
      .handle("healthz", () => Effect.succeed({ status: "ok" as const }))
      .handle("readyz", () =>
        Effect.gen(function* () {
          if (yield* lifecycle.stopping) return yield* notReady("the process is shutting down")
          yield* queue.ping.pipe(Effect.mapError(() => notReady("Redis does not answer")))
          if (worker._tag === "Some" && !(yield* worker.value.ready)) {
            return yield* notReady("the worker is not connected to Redis")
          }
          return { status: "ready" as const }
        })
      )
  })
)
