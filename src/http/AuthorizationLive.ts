import { HttpServerRequest } from "@effect/platform"
import { Effect, Layer, Redacted } from "effect"
import { Unauthorized } from "../domain/HttpErrors.ts"
import { Config } from "../services/Config.ts"
import { Authorization } from "./Api.ts"
import { constantTimeEqual } from "./constantTime.ts"

const BEARER = /^Bearer ([\x21-\x7e]+)$/i

/** The bearer check of `/enqueue` and `/jobs`, on the raw `Authorization` header. */
export const checkBearer = (expected: string) => (header: string | undefined): Effect.Effect<void, Unauthorized> => {
  if (header === undefined) return Effect.fail(new Unauthorized({ message: "Authorization: Bearer <token> is required" }))
  const match = BEARER.exec(header)
  if (match === null) return Effect.fail(new Unauthorized({ message: "Authorization must be 'Bearer <token>'" }))
  if (!constantTimeEqual(match[1] ?? "", expected)) return Effect.fail(new Unauthorized({ message: "The bearer token is not valid" }))
  return Effect.void
}

export const AuthorizationLive = Layer.effect(
  Authorization,
  Effect.gen(function* () {
    const { internalAccessToken } = yield* Config
    const check = checkBearer(Redacted.value(internalAccessToken))
    return {
      // The scheme's own parsing is lenient about the prefix; the raw header is read again here.
      bearer: () => Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => check(request.headers["authorization"]))
    }
  })
)
