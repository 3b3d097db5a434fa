import type { IncomingHttpHeaders } from "node:http"
import { HttpApi } from "@effect/platform"
import { Cause, Effect, Exit, Option, Redacted, Runtime, Schema } from "effect"
import { Config } from "../services/Config.ts"
import { Api } from "./Api.ts"
import { checkBearer } from "./AuthorizationLive.ts"
import { makeEnqueue } from "./handlers/enqueue.ts"
import { BEARER_CHALLENGE } from "./responseHeaders.ts"

/** A request as the listener has read it (the body within `MAX_BODY_BYTES`). */
export interface DirectRequest {
  readonly headers: IncomingHttpHeaders
  readonly body: Uint8Array
}

export interface DirectAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

interface ErrorEncoding {
  readonly status: number
  readonly is: (error: unknown) => boolean
  readonly encode: (error: unknown) => unknown
}

/** The enqueue endpoint as the `HttpApi` defines it: method, path, and the wire schema of each error status. */
const describeEnqueue = () => {
  const found: Array<{ readonly method: string; readonly path: string; readonly errors: ReadonlyArray<ErrorEncoding> }> = []
  HttpApi.reflect(Api, {
    predicate: ({ group, endpoint }) => group.identifier === "enqueue" && endpoint.name === "enqueue",
    onGroup: () => undefined,
    onEndpoint: ({ endpoint, errors }) =>
      found.push({
        method: endpoint.method,
        path: endpoint.path,
        errors: [...errors].flatMap(([status, { ast }]) =>
          Option.match(ast, {
            onNone: () => [],
            onSome: (ast) => {
              const schema = Schema.make(ast)
              return [{ status, is: Schema.is(Schema.typeSchema(schema)), encode: Schema.encodeUnknownSync(schema) }]
            }
          })
        )
      })
  })
  return found[0]
}

const JSON_HEADERS = { "content-type": "application/json" }

const single = (value: string | ReadonlyArray<string> | undefined) => (typeof value === "string" || value === undefined ? value : value.join(", "))

/**
 * `POST /enqueue` served straight from the listener, past the platform's router and web-request plumbing,
 * which cost about ten times the program itself (see the README's Performance section). Everything else
 * comes from the `HttpApi`: the route, the bearer check its middleware runs, the program its handler runs,
 * and the wire schema and status of each error, so both doors answer alike.
 */
export const makeEnqueueDirect = Effect.gen(function* () {
  const endpoint = describeEnqueue()
  if (endpoint === undefined) return yield* Effect.dieMessage("the HttpApi has no enqueue endpoint")
  const { method, path, errors } = endpoint
  const { internalAccessToken } = yield* Config
  const authorize = checkBearer(Redacted.value(internalAccessToken))
  const enqueue = yield* makeEnqueue
  const run = Runtime.runPromiseExit(yield* Effect.runtime<never>())

  const failed = (cause: Cause.Cause<unknown>): DirectAnswer => {
    const error = Cause.failureOption(cause)
    const encoding = Option.flatMap(error, (e) => Option.fromNullable(errors.find((candidate) => candidate.is(e))))
    if (Option.isNone(error) || Option.isNone(encoding)) return { status: 500, headers: {}, body: "" }
    const { status, encode } = encoding.value
    const headers = status === 401 ? { ...JSON_HEADERS, "www-authenticate": BEARER_CHALLENGE } : JSON_HEADERS
    return { status, headers, body: JSON.stringify(encode(error.value)) }
  }

  const serve = (request: DirectRequest): Promise<DirectAnswer> =>
    run(
      authorize(single(request.headers.authorization)).pipe(
        Effect.zipRight(
          enqueue({
            body: request.body,
            contentType: single(request.headers["content-type"]),
            idempotencyKey: single(request.headers["idempotency-key"])
          })
        ),
        Effect.tapDefect((defect) => Effect.logError("POST /enqueue failed unexpectedly", defect))
      )
    ).then(
      Exit.match({
        onSuccess: (answer): DirectAnswer => ({ status: answer.status, headers: JSON_HEADERS, body: JSON.stringify(answer.body) }),
        onFailure: failed
      })
    )

  return { method, path, serve }
})
