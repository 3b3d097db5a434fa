import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiMiddleware, HttpApiSecurity, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { EnqueueAccepted, EnqueueDuplicate, EnqueueRequest } from "../domain/Action.ts"
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError
} from "../domain/HttpErrors.ts"
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
  .add(SystemGroup)
  .annotate(OpenApi.Title, "Nexora Queue")
  .annotate(OpenApi.Version, VERSION)
  .annotate(OpenApi.Description, "Durable, signed webhook delivery for bursts of offline actions.") {}
