import { HttpApiBuilder, HttpApiSwagger } from "@effect/platform"
import { Layer } from "effect"

export const OPENAPI_PATH = "/openapi.json"
export const DOCS_PATH = "/docs"

/**
 * The API described from its own definition: the OpenAPI document, and Swagger UI rendering it. The UI's
 * script and styles are inlined in the page by `@effect/platform`, so it needs no network but this server.
 */
export const DocsLive = Layer.mergeAll(
  HttpApiBuilder.middlewareOpenApi({ path: OPENAPI_PATH }),
  HttpApiSwagger.layer({ path: DOCS_PATH })
)

/**
 * The docs page runs its own inline script and styles, so it is the one path whose policy allows them;
 * everything else it could load (scripts, fonts, images, requests) is limited to this origin.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join("; ")
