import { HttpMiddleware, HttpServerError, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"

/** Headers every answer carries: no sniffing, no referrer, never framed. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy": "frame-ancestors 'none'"
}

/** A 401 names its scheme; an unknown path answers the contract's error body. */
export const apiResponses = HttpMiddleware.make((app) =>
  app.pipe(
    Effect.catchIf(
      (error) => HttpServerError.isServerError(error) && error._tag === "RouteNotFound",
      () =>
      HttpServerResponse.json({ error: "NotFound", message: "no such endpoint" }, { status: 404 })
    ),
    Effect.map((response) =>
      response.status === 401 ? HttpServerResponse.setHeader(response, "www-authenticate", 'Bearer realm="nexora-queue"') : response
    )
  )
)
