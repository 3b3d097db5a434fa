/** Longest single wait between two attempts, whatever the base and attempt number. */
export const BACKOFF_CAP_MS = 60 * 60 * 1000
/**
 * Each wait is three times the one before: with the defaults (1 s, 10 attempts) the schedule spans about
 * two hours, so a receiver that is down for an hour still gets every action without an operator.
 */
export const BACKOFF_FACTOR = 3
/** Each wait is drawn from ±20% around its nominal value, so a burst of failures does not retry in lockstep. */
export const JITTER = 0.2

/** The nominal wait after the `attemptsMade`-th failed attempt: base · 3^(attemptsMade − 1), capped at one hour. */
export const nominalDelay = (attemptsMade: number, baseMs: number): number =>
  Math.min(baseMs * BACKOFF_FACTOR ** Math.max(attemptsMade - 1, 0), BACKOFF_CAP_MS)

/**
 * The wait before attempt `attemptsMade + 1`, after `attemptsMade` failed attempts: the nominal wait,
 * jittered, capped at one hour. `Retry-After`, when the receiver sent one, wins (also capped).
 */
export const backoffDelay = (
  attemptsMade: number,
  baseMs: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random
): number => {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, BACKOFF_CAP_MS)
  const jittered = nominalDelay(attemptsMade, baseMs) * (1 - JITTER + 2 * JITTER * random())
  return Math.round(Math.min(jittered, BACKOFF_CAP_MS))
}
