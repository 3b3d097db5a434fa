import { HttpServerRequest } from "@effect/platform"
import { Effect, Schema } from "effect"
import { MAX_BODY_DEPTH, MAX_PARAMS_DEPTH } from "../domain/Action.ts"
import { BadRequest, PayloadTooLarge, UnsupportedMediaType } from "../domain/HttpErrors.ts"
import { jsonDepth } from "../domain/jsonDepth.ts"
import { fieldIssues } from "./fieldIssues.ts"

const utf8 = new TextDecoder("utf-8", { fatal: true })

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType)

const badRequest = (message: string) => new BadRequest({ message })

/**
 * Parses a request body as JSON within `maxBodyBytes` (the listener enforces the limit while reading, too).
 * With `emptyAs`, a request without a body stands for that value.
 */
export const parseJsonBody = (
  bytes: Uint8Array,
  contentType: string | undefined,
  maxBodyBytes: number,
  options: { readonly emptyAs?: unknown } = {}
): Effect.Effect<unknown, BadRequest | UnsupportedMediaType | PayloadTooLarge> =>
  Effect.gen(function* () {
    if (bytes.byteLength === 0 && "emptyAs" in options) return options.emptyAs
    if (!isJson(contentType)) {
      return yield* new UnsupportedMediaType({ message: "Content-Type must be application/json" })
    }
    if (bytes.byteLength === 0) {
      return yield* badRequest("the body is empty: send the JSON with a Content-Length or in chunked encoding")
    }
    if (bytes.byteLength > maxBodyBytes) {
      return yield* new PayloadTooLarge({ message: `the body is over ${maxBodyBytes} bytes` })
    }
    const text = yield* Effect.try({ try: () => utf8.decode(bytes), catch: () => badRequest("the body is not valid UTF-8") })
    const body = yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: (error) => badRequest(`the body is not valid JSON${error instanceof SyntaxError ? `: ${error.message}` : ""}`)
    })
    if (jsonDepth(body, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
      return yield* badRequest(`the body nests deeper than ${MAX_BODY_DEPTH} levels (params may nest ${MAX_PARAMS_DEPTH})`)
    }
    return body
  })

/** The body of the request being served, parsed as `parseJsonBody` does. */
export const readJsonBody = (maxBodyBytes: number, options: { readonly emptyAs?: unknown } = {}) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const bytes = yield* request.arrayBuffer.pipe(Effect.mapError(() => badRequest("the body could not be read")))
    return yield* parseJsonBody(new Uint8Array(bytes), request.headers["content-type"], maxBodyBytes, options)
  })

/** Decodes with `schema`; a mismatch is a 400 naming each field at fault. */
export const decodeOrBadRequest = <A, I>(schema: Schema.Schema<A, I>) => {
  // Unknown fields are refused: a typo such as `delay_ms` must not be silently dropped.
  const decode = Schema.decodeUnknown(schema, { errors: "all", onExcessProperty: "error" })
  return (input: unknown) =>
    decode(input).pipe(
      Effect.mapError(
        (error) =>
          new BadRequest({
            message: "the body does not match the schema",
            issues: fieldIssues(error)
          })
      )
    )
}
