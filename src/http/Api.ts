import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiMiddleware, HttpApiSecurity, OpenApi } from "@effect/platform"
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
  security: { bearer: HttpApiSecurity.bearer }
}) {}

export const Health = Schema.Struct({ status: Schema.Literal("ok", "ready") })

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
  )
  .middleware(Authorization) {}

const JobIdPath = Schema.Struct({ id: Schema.String.annotations({ description: "The job id, as answered by /enqueue (also the webhook-id)." }) })

export class JobsGroup extends HttpApiGroup.make("jobs")
  .add(
    HttpApiEndpoint.get("get", "/jobs/:id")
      .setPath(JobIdPath)
      .addSuccess(JobView)
      .addError(NotFoundError)
      .addError(ServiceUnavailableError)
      .annotate(OpenApi.Summary, "A job's state, attempts and the reason of its last failure")
  )
  .add(
    HttpApiEndpoint.post("retry", "/jobs/:id/retry")
      .setPath(JobIdPath)
      .addSuccess(RetryAnswer, { status: 202 })
      .addError(NotFoundError)
      .addError(ConflictError)
      .addError(ServiceUnavailableError)
      .annotate(OpenApi.Summary, "Replay one failed job (same id, same webhook-id)")
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
  )
  .middleware(Authorization) {}

export class SystemGroup extends HttpApiGroup.make("system")
  .add(
    HttpApiEndpoint.get("healthz", "/healthz")
      .addSuccess(Health)
      .annotate(OpenApi.Summary, "200 while the process runs")
  )
  .add(
    HttpApiEndpoint.get("readyz", "/readyz")
      .addSuccess(Health)
      .addError(ServiceUnavailableError)
      .annotate(OpenApi.Summary, "200 when Redis answers and, where this process delivers, the worker is connected")
  ) {}

/** The one description of the HTTP API: the server, the OpenAPI document and the docs page come from it. */
export class Api extends HttpApi.make("nexora-queue")
  .add(EnqueueGroup)
  .add(JobsGroup)
  .add(SystemGroup)
  .annotate(OpenApi.Title, "Nexora Queue")
  .annotate(OpenApi.Version, VERSION)
  .annotate(OpenApi.Description, "Durable, signed webhook delivery for bursts of offline actions.") {}
