import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiMiddleware, HttpApiSchema, HttpApiSecurity, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { EnqueueAccepted, EnqueueDuplicate, EnqueueRequest } from "../domain/Action.ts"
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError
} from "../domain/HttpErrors.ts"
import { JobView, RetryAnswer, RetryFailedAnswer, RetryFailedFilter } from "../domain/JobView.ts"
import { VERSION } from "../domain/version.ts"

/** Bearer `INTERNAL_ACCESS_TOKEN` on `/enqueue` and `/jobs`. */
export class Authorization extends HttpApiMiddleware.Tag<Authorization>()("Authorization", {
  failure: UnauthorizedError,
  security: {
    bearer: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "`Authorization: Bearer <INTERNAL_ACCESS_TOKEN>`, compared in constant time.")
    )
  }
}) {}

export const Health = Schema.Struct({ status: Schema.Literal("ok", "ready") }).annotations({
  identifier: "Health",
  description: "`ok` from /healthz, `ready` from /readyz.",
  examples: [{ status: "ok" }, { status: "ready" }]
})

export class EnqueueGroup extends HttpApiGroup.make("enqueue")
  .add(
    HttpApiEndpoint.post("enqueue", "/enqueue")
      .setPayload(EnqueueRequest)
      .setHeaders(
        Schema.Struct({
          "idempotency-key": Schema.optional(Schema.String).annotations({
            description: "1–200 characters. The same key within 24 hours enqueues nothing new."
          })
        })
      )
      .addSuccess(EnqueueAccepted, { status: 202 })
      .addSuccess(EnqueueDuplicate, { status: 200 })
      .addError(BadRequestError)
      .addError(ForbiddenError)
      .addError(ConflictError)
      .addError(PayloadTooLargeError)
      .addError(UnsupportedMediaTypeError)
      .addError(ServiceUnavailableError)
      .annotate(OpenApi.Summary, "Queue a burst of actions for signed delivery")
      .annotate(
        OpenApi.Description,
        "Stores every action of the request as a job, all or none, and answers with their ids in the order of " +
          "`actions`. Each is then POSTed to `targetUrl` (or `DEFAULT_TARGET_URL`) as `{\"name\",\"params\"}`, signed, " +
          "and retried with backoff until the receiver answers 2xx. A repeated `Idempotency-Key` queues nothing " +
          "and answers 200 with the first answer's ids."
      )
  )
  .middleware(Authorization)
  .annotate(OpenApi.Description, "Taking work: bearer token required.") {}

const JobIdPath = Schema.Struct({ id: Schema.String.annotations({ description: "The job id, as answered by /enqueue (also the webhook-id)." }) })

export class JobsGroup extends HttpApiGroup.make("jobs")
  .add(
    HttpApiEndpoint.get("get", "/jobs/:id")
      .setPath(JobIdPath)
      .addSuccess(JobView)
      .addError(NotFoundError)
      .addError(ServiceUnavailableError)
      .annotate(OpenApi.Summary, "A job's state, attempts and the reason of its last failure")
      .annotate(
        OpenApi.Description,
        "Where the job stands (waiting, delayed, active, completed or failed), how many attempts it made, and each " +
          "failed attempt's status code or network error with the first 1 KiB of the answer. 404 once retention removed it."
      )
  )
  .add(
    HttpApiEndpoint.post("retry", "/jobs/:id/retry")
      .setPath(JobIdPath)
      .addSuccess(RetryAnswer, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(ServiceUnavailableError)
      .annotate(OpenApi.Summary, "Replay one failed job (same id, same webhook-id)")
      .annotate(
        OpenApi.Description,
        "Puts a failed job back in the queue with a fresh set of attempts; the receiver sees the same webhook-id. " +
          "409 when the job is not failed."
      )
  )
  .add(
    HttpApiEndpoint.post("retryFailed", "/jobs/retry-failed")
      .setPayload(RetryFailedFilter)
      .addSuccess(RetryFailedAnswer, { status: 202 })
      .addError(BadRequestError)
      .addError(PayloadTooLargeError)
      .addError(UnsupportedMediaTypeError)
      .addError(ServiceUnavailableError)
      .annotate(OpenApi.Summary, "Replay every failed job, or those of one action name or failed within a time range")
      .annotate(OpenApi.Description, "An empty body `{}` replays every failed job. Answers how many were put back.")
  )
  .middleware(Authorization)
  .annotate(OpenApi.Description, "Inspecting and replaying jobs: bearer token required.") {}

export class SystemGroup extends HttpApiGroup.make("system")
  .add(
    HttpApiEndpoint.get("healthz", "/healthz")
      .addSuccess(Health)
      .annotate(OpenApi.Summary, "200 while the process runs")
      .annotate(OpenApi.Description, "Liveness: answers without touching Redis.")
  )
  .add(
    HttpApiEndpoint.get("readyz", "/readyz")
      .addSuccess(Health)
      .addError(ServiceUnavailableError)
      .annotate(OpenApi.Summary, "200 when Redis answers and, where this process delivers, the worker is connected")
      .annotate(OpenApi.Description, "Readiness: 503 while Redis does not answer, and from the moment a shutdown begins.")
  )
  .annotate(OpenApi.Description, "Probes for orchestrators and load balancers: no authentication.") {}

export class MetricsGroup extends HttpApiGroup.make("metrics")
  .add(
    HttpApiEndpoint.get("metrics", "/metrics")
      .addSuccess(HttpApiSchema.Text({ contentType: "text/plain; version=0.0.4; charset=utf-8" }))
      .annotate(OpenApi.Summary, "Prometheus text: enqueued actions, delivery attempts and durations, jobs per state")
      .annotate(
        OpenApi.Description,
        "`nexora_enqueued_actions_total` and `nexora_deliveries_total{outcome=\"success\"|\"retry\"|\"failed\"}` count " +
          "this process's work; `nexora_delivery_duration_seconds` is a histogram of attempts; " +
          "`nexora_queue_jobs{state}` is read from Redis at scrape time, the same in every process (left out while " +
          "Redis is unreachable). The process's default metrics (`process_*`, `nodejs_*`) follow."
      )
  )
  .annotate(OpenApi.Description, "For Prometheus: no authentication; expose it to the scraper only.") {}

/** The one description of the HTTP API: the server, the OpenAPI document and the docs page come from it. */
export class Api extends HttpApi.make("nexora-queue")
  .add(EnqueueGroup)
  .add(JobsGroup)
  .add(SystemGroup)
  .add(MetricsGroup)
  .annotate(OpenApi.Title, "Nexora Queue")
  .annotate(OpenApi.Version, VERSION)
  .annotate(OpenApi.Description, "Durable, signed webhook delivery for bursts of offline actions.") {}
