import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, ParseResult, Schema } from "effect"
import { EnqueueRequest } from "../../domain/Action.ts"
import {
  BadRequest,
  Forbidden,
  PayloadTooLarge,
  ServiceUnavailable,
  UnsupportedMediaType
} from "../../domain/HttpErrors.ts"
import { Config } from "../../services/Config.ts"
import { Queue } from "../../services/Queue.ts"
import { TargetPolicy } from "../../services/TargetPolicy.ts"
import { Api } from "../Api.ts"

const decodeEnqueueRequest = Schema.decodeUnknown(EnqueueRequest, { errors: "all", onExcessProperty: "ignore" })
const utf8 = new TextDecoder("utf-8", { fatal: true })

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType)

const badRequest = (message: string) => new BadRequest({ message })

/** Reads the body as JSON within `MAX_BODY_BYTES` (the listener enforces it while reading, too). */
const readJsonBody = (maxBodyBytes: number) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (!isJson(request.headers["content-type"])) {
      return yield* new UnsupportedMediaType({ message: "Content-Type must be application/json" })
    }
    const bytes = yield* request.arrayBuffer.pipe(Effect.mapError(() => badRequest("the body could not be read")))
    if (bytes.byteLength > maxBodyBytes) {
      return yield* new PayloadTooLarge({ message: `the body is over ${maxBodyBytes} bytes` })
    }
    const text = yield* Effect.try({ try: () => utf8.decode(bytes), catch: () => badRequest("the body is not valid UTF-8") })
    return yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: (error) =>
        badRequest(`the body is not valid JSON${error instanceof SyntaxError ? `: ${error.message}` : ""}`)
    })
  })

const decodeBody = (body: unknown, maxActions: number) =>
  decodeEnqueueRequest(body).pipe(
    Effect.mapError((error) =>
      new BadRequest({
        message: "the body does not match the schema",
        issues: ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
          path: issue.path.join("."),
          message: issue.message
        }))
      })
    ),
    Effect.filterOrFail(
      (request) => request.actions.length > 0,
      () => badRequest("actions must hold at least one action")
    ),
    Effect.filterOrFail(
      (request) => request.actions.length <= maxActions,
      (request) => badRequest(`actions holds ${request.actions.length} actions; the limit is ${maxActions}`)
    )
  )

export const EnqueueLive = HttpApiBuilder.group(Api, "enqueue", (handlers) =>
  Effect.gen(function* () {
    const config = yield* Config
    const queue = yield* Queue
    const targets = yield* TargetPolicy
    // Raw: the body is read and decoded here, so every failure carries the contract's error body.
    return handlers.handleRaw("enqueue", () =>
      Effect.gen(function* () {
        const body = yield* readJsonBody(config.maxBodyBytes)
        const request = yield* decodeBody(body, config.maxActionsPerRequest)
        const targetUrl = yield* targets.resolve(request.targetUrl).pipe(
          Effect.mapError((rejected) =>
            rejected.kind === "Invalid"
              ? new BadRequest({ message: rejected.reason, issues: [{ path: "targetUrl", message: rejected.reason }] })
              : new Forbidden({ message: rejected.reason })
          )
        )
        const jobIds = yield* queue
          .add(request.actions.map((action) => ({ ...action, targetUrl })))
          .pipe(Effect.mapError(() => new ServiceUnavailable({ message: "the queue is unavailable; nothing was queued" })))
        return HttpServerResponse.unsafeJson({ queued: jobIds.length, jobIds }, { status: 202 })
      }).pipe(Effect.withSpan("Api.enqueue"))
    )
  })
)
