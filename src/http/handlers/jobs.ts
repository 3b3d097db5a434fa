import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Effect, Option } from "effect"
import { Conflict, NotFound, ServiceUnavailable } from "../../domain/HttpErrors.ts"
import { RetryFailedFilter } from "../../domain/JobView.ts"
import { Config } from "../../services/Config.ts"
import { Queue } from "../../services/Queue.ts"
import { Api } from "../Api.ts"
import { decodeOrBadRequest, readJsonBody } from "../readJson.ts"

const decodeFilter = decodeOrBadRequest(RetryFailedFilter)

const unavailable = () => new ServiceUnavailable({ message: "the queue is unavailable; try again" })
const notFound = (id: string) => new NotFound({ message: `no job ${id} (it may have been removed by retention)` })

export const JobsLive = HttpApiBuilder.group(Api, "jobs", (handlers) =>
  Effect.gen(function* () {
    const queue = yield* Queue
    const { maxBodyBytes } = yield* Config
    return handlers
      .handle("get", ({ path: { id } }) =>
        queue.get(id).pipe(
          Effect.mapError(unavailable),
          Effect.flatMap(Option.match({ onNone: () => Effect.fail(notFound(id)), onSome: Effect.succeed })),
          Effect.withSpan("Api.jobs.get")
        )
      )
      .handle("retry", ({ path: { id } }) =>
        queue.retry(id).pipe(
          Effect.catchTags({
            QueueUnavailable: unavailable,
            JobNotFound: () => notFound(id),
            JobNotFailed: ({ state }) => new Conflict({ message: `job ${id} is ${state}; only a failed job can be retried` })
          }),
          Effect.as({ id, state: "waiting" as const }),
          Effect.withSpan("Api.jobs.retry")
        )
      )
      // Raw: an empty body means "all failed jobs", and a bad filter gets the contract's 400.
      .handleRaw("retryFailed", () =>
        readJsonBody(maxBodyBytes, { emptyAs: {} }).pipe(
          Effect.flatMap(decodeFilter),
          Effect.flatMap((filter) => queue.retryFailed(filter).pipe(Effect.mapError(unavailable))),
          Effect.map((replayed) => HttpServerResponse.unsafeJson({ replayed }, { status: 202 })),
          Effect.withSpan("Api.jobs.retryFailed")
        )
      )
  })
)
