import { Data, Option } from "effect"

/** The result of one delivery attempt, as the contract classifies it. */
export type DeliveryOutcome = Data.TaggedEnum<{
  /** 2xx: done. */
  Delivered: { readonly status: number; readonly durationMs: number }
  /** Network error, timeout, 408, 425, 429, 5xx: try again later, no earlier than `retryAfterMs` if set. */
  Retryable: {
    readonly status: Option.Option<number>
    readonly reason: string
    readonly body: string
    readonly retryAfterMs: Option.Option<number>
    readonly durationMs: number
  }
  /** Any other status, 3xx included, or a target refused by the policy: failed for good, never retried automatically. */
  Permanent: {
    readonly status: Option.Option<number>
    readonly reason: string
    readonly body: string
    readonly durationMs: number
  }
}>
export const DeliveryOutcome = Data.taggedEnum<DeliveryOutcome>()

export const RETRY_AFTER_CAP_MS = 60 * 60 * 1000
const RETRYABLE_STATUSES = new Set([408, 425, 429])

export const isRetryableStatus = (status: number): boolean => status >= 500 || RETRYABLE_STATUSES.has(status)

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`, capped at one hour. */
export const parseRetryAfter = (value: string | null, now: number): Option.Option<number> => {
  if (value === null) return Option.none()
  const trimmed = value.trim()
  // Delay-seconds, or an HTTP date (which always names a weekday or month); anything else is ignored.
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : /[a-z]/i.test(trimmed) ? Date.parse(trimmed) - now : Number.NaN
  return Number.isFinite(ms) ? Option.some(Math.min(Math.max(ms, 0), RETRY_AFTER_CAP_MS)) : Option.none()
}

export interface ResponseFacts {
  readonly status: number
  readonly retryAfter: string | null
  readonly body: string
  readonly durationMs: number
  readonly now: number
}

export const classifyResponse = ({ status, retryAfter, body, durationMs, now }: ResponseFacts): DeliveryOutcome => {
  if (status >= 200 && status < 300) return DeliveryOutcome.Delivered({ status, durationMs })
  if (isRetryableStatus(status)) {
    return DeliveryOutcome.Retryable({
      status: Option.some(status),
      reason: `HTTP ${status}`,
      body,
      retryAfterMs: parseRetryAfter(retryAfter, now),
      durationMs
    })
  }
  const reason = status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`
  return DeliveryOutcome.Permanent({ status: Option.some(status), reason, body, durationMs })
}

/** The target policy refused the address the attempt would have connected to: nothing was sent. */
export const refusedTarget = (reason: string, durationMs: number): DeliveryOutcome =>
  DeliveryOutcome.Permanent({ status: Option.none(), reason: `refused: ${reason}`, body: "", durationMs })

export const networkFailure = (reason: string, durationMs: number): DeliveryOutcome =>
  DeliveryOutcome.Retryable({ status: Option.none(), reason, body: "", retryAfterMs: Option.none(), durationMs })
