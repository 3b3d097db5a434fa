/**
 * JSON with object keys sorted at every level: two values that mean the same give the same text, whatever
 * order their keys were written in. Used to tell a true repeat of a request from a different one.
 */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === "object" && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner
  )
