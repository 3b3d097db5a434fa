import { HttpMiddleware, HttpServerError, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"

/** Headers every answer carries: no sniffing, no referrer, never framed, not readable cross-origin. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-resource-policy": "same-origin"
}

/**
 * API answers are data, never a page to render or cache. A handler that serves a page sets its own
 * `content-security-policy`, which replaces this one.
 */
export const API_HEADERS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADERS,
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "cache-control": "no-store"
}

/**
 * What bull-board's page needs and no more: its own scripts only; inline styles (it injects its theme
 * with a style element); its own API for data. Its page also links Google Fonts: that is refused, so an
 * operator's browser sends nothing outside this server (the page falls back to system fonts).
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join("; ")

export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADERS,
  "content-security-policy": DASHBOARD_CSP
}

/** What a 401 answers in `WWW-Authenticate`. */
export const BEARER_CHALLENGE = 'Bearer realm="nexora-queue"'

/** A 401 names its scheme; an unknown path answers the contract's error body. */
export const apiResponses = HttpMiddleware.make((app) =>
  app.pipe(
    Effect.catchIf(
      (error) => HttpServerError.isServerError(error) && error._tag === "RouteNotFound",
      () =>
      HttpServerResponse.json({ error: "NotFound", message: "no such endpoint" }, { status: 404 })
    ),
    Effect.map((response) =>
      response.status === 401 ? HttpServerResponse.setHeader(response, "www-authenticate", BEARER_CHALLENGE) : response
    )
  )
)
