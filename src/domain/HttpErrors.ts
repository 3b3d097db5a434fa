import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

/**
 * The errors the HTTP API answers with. Each is a value the handlers fail with (`_tag` inside Effect)
 * and is encoded as the contract's body `{ "error": "<Tag>", "message": …, "issues": […] }`.
 */
export const FieldIssue = Schema.Struct({
  path: Schema.String,
  message: Schema.String
}).annotations({ identifier: "FieldIssue" })
export type FieldIssue = typeof FieldIssue.Type

const fields = {
  message: Schema.String,
  issues: Schema.optional(Schema.Array(FieldIssue))
}

export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", fields) {}
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", fields) {}
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", fields) {}
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", fields) {}
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", fields) {}
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", fields) {}
export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()("UnsupportedMediaType", fields) {}
export class TooManyRequests extends Schema.TaggedError<TooManyRequests>()("TooManyRequests", fields) {}
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()("ServiceUnavailable", fields) {}

type Encoded<Tag extends string> = { readonly _tag: Tag } & Schema.Struct.Encoded<typeof fields>

/** Renames `_tag` to `error` on the wire and attaches the HTTP status. */
const onTheWire = <A, Tag extends string>(
  error: Schema.Schema<A, Encoded<Tag>>,
  tag: Tag,
  status: number,
  description: string,
  example: A
) =>
  Schema.transform(Schema.Struct({ error: Schema.Literal(tag), ...fields }), error, {
    strict: true,
    decode: ({ error, ...rest }) => ({ _tag: error, ...rest }),
    encode: ({ _tag, ...rest }) => ({ error: _tag, ...rest })
  }).annotations({
    ...HttpApiSchema.annotations({ status }),
    identifier: tag,
    description,
    examples: [example]
  })

export const BadRequestError = onTheWire(BadRequest, "BadRequest", 400, "The body is not JSON or not of the schema.",
  new BadRequest({ message: "actions must hold at least one action" })
)
export const UnauthorizedError = onTheWire(Unauthorized, "Unauthorized", 401, "The bearer token is missing, malformed or wrong.",
  new Unauthorized({ message: "Authorization: Bearer <token> is required" })
)
export const ForbiddenError = onTheWire(Forbidden, "Forbidden", 403, "The target URL is not allowed.",
  new Forbidden({ message: "targetUrl is on an origin that is not allowed" })
)
export const NotFoundError = onTheWire(NotFound, "NotFound", 404, "No such job.",
  new NotFound({ message: "no such job" })
)
export const ConflictError = onTheWire(Conflict, "Conflict", 409, "The request conflicts with the state of the job or key.",
  new Conflict({ message: "the job is not failed" })
)
export const PayloadTooLargeError = onTheWire(PayloadTooLarge, "PayloadTooLarge", 413, "The body is over MAX_BODY_BYTES.",
  new PayloadTooLarge({ message: "the body is over 1048576 bytes" })
)
export const UnsupportedMediaTypeError = onTheWire(UnsupportedMediaType, "UnsupportedMediaType", 415, "The body is not application/json.",
  new UnsupportedMediaType({ message: "Content-Type must be application/json" })
)
export const TooManyRequestsError = onTheWire(TooManyRequests, "TooManyRequests", 429, "Too many attempts; try again later.",
  new TooManyRequests({ message: "too many attempts; try again later" })
)
export const ServiceUnavailableError = onTheWire(ServiceUnavailable, "ServiceUnavailable", 503, "Redis is unreachable; nothing was queued.",
  new ServiceUnavailable({ message: "the queue is unavailable; nothing was queued" })
)
