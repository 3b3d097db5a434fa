import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { Metrics } from "../../services/Metrics.ts"
import { Api } from "../Api.ts"

export const MetricsLive = HttpApiBuilder.group(Api, "metrics", (handlers) =>
  Effect.map(Metrics, (metrics) =>
    // Raw: the answer carries the exposition format's own content type.
    handlers.handleRaw("metrics", () =>
      metrics.exposition.pipe(
        Effect.map(({ contentType, body }) => HttpServerResponse.text(body, { contentType })),
        Effect.withSpan("Api.metrics")
      )
    )
  )
)
