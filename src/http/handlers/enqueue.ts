import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { type EnqueueRequest as EnqueueRequestType, EnqueueRequest } from "../../domain/Action.ts"
import { canonicalJson } from "../../domain/canonicalJson.ts"
import { BadRequest, Conflict, Forbidden, ServiceUnavailable } from "../../domain/HttpErrors.ts"
import { Config } from "../../services/Config.ts"
import { Metrics } from "../../services/Metrics.ts"
import { Queue } from "../../services/Queue.ts"
import { TargetPolicy } from "../../services/TargetPolicy.ts"
import { Api } from "../Api.ts"
import { decodeOrBadRequest, parseJsonBody } from "../readJson.ts"

const decodeEnqueueRequest = decodeOrBadRequest(EnqueueRequest)
const badRequest = (message: string) => new BadRequest({ message })

const decodeBody = (body: unknown, maxActions: number) =>
  decodeEnqueueRequest(body).pipe(
    Effect.filterOrFail(
      (request) => request.actions.length > 0,
      () => badRequest("actions must hold at least one action")
    ),
    Effect.filterOrFail(
      (request) => request.actions.length <= maxActions,
      (request) => badRequest(`actions holds ${request.actions.length} actions; the limit is ${maxActions}`)
    )
  )

/** The `Idempotency-Key` header, with a digest of what the request asks for (its decoded actions and target). */
const idempotencyOf = (key: string | undefined, body: EnqueueRequestType, targetUrl: string) => {
  if (key === undefined) return Effect.succeed(undefined)
  if (key.length < 1 || key.length > 200) {
    return Effect.fail(
      new BadRequest({
        message: "Idempotency-Key must be 1-200 characters",
        issues: [{ path: "Idempotency-Key", message: "must be 1-200 characters" }]
      })
    )
  }
  // The same actions for the same target, whatever the key order; `delayMs: 0` is the same as no delay.
  const actions = body.actions.map(({ delayMs, ...action }) => (delayMs ? { ...action, delayMs } : action))
  const fingerprint = createHash("sha256").update(canonicalJson([targetUrl, actions])).digest("hex")
  return Effect.succeed({ key, fingerprint })
}

/** What `POST /enqueue` reads of a request once it is authorized. */
export interface EnqueueInput {
  readonly body: Uint8Array
  readonly contentType: string | undefined
  readonly idempotencyKey: string | undefined
}

/** The answer of `POST /enqueue` (202, or 200 for a repeated `Idempotency-Key`), before it is written. */
export interface EnqueueAnswer {
  readonly status: 200 | 202
  readonly body: { readonly duplicate?: true; readonly queued: number; readonly jobIds: ReadonlyArray<string> }
}

/**
 * The `/enqueue` program: the body read and decoded here, so every failure is one of the endpoint's errors
 * with the contract's body. The `HttpApi` handler and the listener's direct route (`enqueueDirect.ts`) run it.
 */
export const makeEnqueue = Effect.gen(function* () {
  const config = yield* Config
  const queue = yield* Queue
  const targets = yield* TargetPolicy
  const metrics = yield* Metrics
  return (input: EnqueueInput) =>
    Effect.gen(function* () {
      const body = yield* parseJsonBody(input.body, input.contentType, config.maxBodyBytes)
      const request = yield* decodeBody(body, config.maxActionsPerRequest)
      const targetUrl = yield* targets.resolve(request.targetUrl).pipe(
        Effect.mapError((rejected) =>
          rejected.kind === "Invalid"
            ? new BadRequest({ message: rejected.reason, issues: [{ path: "targetUrl", message: rejected.reason }] })
            : rejected.kind === "Unavailable"
              ? new ServiceUnavailable({ message: `${rejected.reason}; nothing was queued` })
              : new Forbidden({ message: rejected.reason })
        )
      )
      const idempotency = yield* idempotencyOf(input.idempotencyKey, request, targetUrl)
      const jobs = request.actions.map((action) => ({ ...action, targetUrl }))
      const { jobIds, duplicate } = yield* queue.add(jobs, idempotency).pipe(
        Effect.catchTags({
          QueueUnavailable: () => new ServiceUnavailable({ message: "the queue is unavailable; nothing was queued" }),
          IdempotencyConflict: ({ reason }) => new Conflict({ message: reason })
        })
      )
      if (!duplicate) yield* metrics.enqueued(jobIds.length)
      return duplicate
        ? ({ status: 200, body: { duplicate: true, queued: jobIds.length, jobIds } } satisfies EnqueueAnswer)
        : ({ status: 202, body: { queued: jobIds.length, jobIds } } satisfies EnqueueAnswer)
    }).pipe(Effect.withSpan("Api.enqueue"))
})

export const EnqueueLive = HttpApiBuilder.group(Api, "enqueue", (handlers) =>
  Effect.gen(function* () {
    const enqueue = yield* makeEnqueue
    // Raw: the body is read and decoded by the program, so every failure carries the contract's error body.
    return handlers.handleRaw("enqueue", () =>
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const bytes = yield* request.arrayBuffer.pipe(Effect.mapError(() => new BadRequest({ message: "the body could not be read" })))
        const answer = yield* enqueue({
          body: new Uint8Array(bytes),
          contentType: request.headers["content-type"],
          idempotencyKey: request.headers["idempotency-key"]
        })
        return HttpServerResponse.unsafeJson(answer.body, { status: answer.status })
      })
    )
  })
)
