import type { FuzzRequest } from "./fuzzRequests.ts"

// What the contract says of a `POST /enqueue`, written out plainly and apart from the server's code, so
// that the fuzz test compares two readings of the contract.

/** The longest `delayMs`: a year. */
export const MAX_DELAY_MS = 365 * 24 * 60 * 60 * 1000

export interface FuzzLimits {
  readonly maxBodyBytes: number
  readonly maxActions: number
  /** What the target policy must say of a `targetUrl` string: "unknown" for one the generator did not plan. */
  readonly target: (url: string) => "allowed" | "refused" | "unknown"
}

/** What the contract says of a request, judged here without the server's code. */
export type Verdict =
  | { readonly kind: "valid"; readonly names: ReadonlyArray<string> }
  | { readonly kind: "invalid" }
  | { readonly kind: "unknown" }

const depth = (value: unknown): number => {
  let deepest = 0
  const stack: Array<readonly [unknown, number]> = [[value, 0]]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [current, level] = item
    if (typeof current !== "object" || current === null) continue
    deepest = Math.max(deepest, level + 1)
    for (const child of Object.values(current)) stack.push([child, level + 1])
  }
  return deepest
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const ACTION_KEYS = new Set(["name", "params", "delayMs"])
const REQUEST_KEYS = new Set(["actions", "targetUrl"])
/** Unknown fields are refused, so a typo is never silently dropped. */
const onlyKeys = (record: Record<string, unknown>, allowed: ReadonlySet<string>) => Object.keys(record).every((key) => allowed.has(key))

const validAction = (action: unknown): action is { name: string } => {
  if (!isRecord(action) || !onlyKeys(action, ACTION_KEYS)) return false
  const { name, delayMs } = action
  // "1–200 characters": characters as a person counts them (code points), not UTF-16 units.
  if (typeof name !== "string" || [...name].length < 1 || [...name].length > 200) return false
  if (delayMs !== undefined && !(typeof delayMs === "number" && Number.isInteger(delayMs) && delayMs >= 0 && delayMs <= MAX_DELAY_MS)) return false
  return !("params" in action) || depth(action.params) <= 32
}

export const judge = (request: FuzzRequest, limits: FuzzLimits): Verdict => {
  const invalid: Verdict = { kind: "invalid" }
  if (!request.authOk || !request.contentTypeOk) return invalid
  if (request.body.byteLength === 0 || request.body.byteLength > limits.maxBodyBytes) return invalid
  let parsed: unknown
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(request.body))
  } catch {
    return invalid
  }
  if (!isRecord(parsed) || depth(parsed) > 64 || !onlyKeys(parsed, REQUEST_KEYS)) return invalid
  const { actions, targetUrl } = parsed
  if (!Array.isArray(actions) || actions.length < 1 || actions.length > limits.maxActions) return invalid
  if (!actions.every(validAction)) return invalid
  if (targetUrl !== undefined && typeof targetUrl !== "string") return invalid
  const target = targetUrl === undefined ? "allowed" : limits.target(targetUrl)
  if (target === "unknown") return { kind: "unknown" }
  return target === "refused" ? invalid : { kind: "valid", names: actions.map((action) => action.name) }
}

