import { HttpServerRequest } from "@effect/platform"
import { Effect, Layer, Redacted } from "effect"
import { Unauthorized } from "../domain/HttpErrors.ts"
import { Config } from "../services/Config.ts"
import { Authorization } from "./Api.ts"
import { constantTimeEqual } from "./constantTime.ts"

const BEARER = /^Bearer ([\x21-\x7e]+)$/i

export const AuthorizationLive = Layer.effect(
  Authorization,
  Effect.gen(function* () {
    const { internalAccessToken } = yield* Config
    const expected = Redacted.value(internalAccessToken)
    return {
      // The scheme's own parsing is lenient about the prefix; the raw header is read again here.
      bearer: () =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const header = request.headers["authorization"]
          if (header === undefined) {
            return yield* new Unauthorized({ message: "Authorization: Bearer <token> is required" })
          }
          const match = BEARER.exec(header)
          if (match === null) {
            return yield* new Unauthorized({ message: "Authorization must be 'Bearer <token>'" })
          }
          if (!constantTimeEqual(match[1] ?? "", expected)) {
            return yield* new Unauthorized({ message: "The bearer token is not valid" })
          }
        })
    }
  })
)
