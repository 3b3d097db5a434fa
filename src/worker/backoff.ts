/** Longest single wait between two attempts, whatever the base and attempt number. */
export const BACKOFF_CAP_MS = 60 * 60 * 1000
/** Each wait is drawn from ±20% around its exponential value, so a burst of failures does not retry in lockstep. */
export const JITTER = 0.2

/**
 * The wait before attempt `attemptsMade + 1`, after `attemptsMade` failed attempts:
 * base · 2^(attemptsMade − 1), jittered, capped at one hour. `Retry-After`, when the receiver sent one, wins.
 */
export const backoffDelay = (
  attemptsMade: number,
  baseMs: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random
): number => {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, BACKOFF_CAP_MS)
  const exponential = Math.min(baseMs * 2 ** Math.max(attemptsMade - 1, 0), BACKOFF_CAP_MS)
  const jittered = exponential * (1 - JITTER + 2 * JITTER * random())
  return Math.round(Math.min(jittered, BACKOFF_CAP_MS))
}
