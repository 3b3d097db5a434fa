/** A `Headers` object (fetch, Next.js) or a plain record (`node:http`'s `req.headers`, Express, tests). */
export type HeaderSource =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

const isHeadersLike = (headers: HeaderSource): headers is { get(name: string): string | null } =>
  "get" in headers && typeof headers.get === "function"

/**
 * The value of header `name` (lowercase), looked up case-insensitively; repeated values are joined with ", "
 * as `Headers` does. Anything that is not a string reads as absent.
 */
export const readHeader = (headers: HeaderSource, name: string): string | undefined => {
  if (isHeadersLike(headers)) {
    const value = headers.get(name)
    return typeof value === "string" ? value : undefined
  }
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue
    const value = headers[key]
    if (typeof value === "string") return value
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join(", ")
  }
  return undefined
}
