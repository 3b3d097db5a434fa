import { describe, expect, test } from "bun:test"
import { Option } from "effect"
import { parseRetryAfter, RETRY_AFTER_CAP_MS } from "../src/domain/DeliveryOutcome.ts"
import { lockDurationFor } from "../src/layers/WorkerBullMQ.ts"
import { BACKOFF_CAP_MS, backoffDelay, JITTER, nominalDelay } from "../src/worker/backoff.ts"

describe("backoffDelay", () => {
  test("the default schedule: 1 s, 3 s, 9 s … capped at one hour, spanning about two hours", () => {
    const waits = Array.from({ length: 9 }, (_, i) => nominalDelay(i + 1, 1_000))
    expect(waits).toEqual([1_000, 3_000, 9_000, 27_000, 81_000, 243_000, 729_000, 2_187_000, 3_600_000])
    const total = waits.reduce((a, b) => a + b, 0)
    expect(total).toBeGreaterThan(60 * 60 * 1000)
    expect(total).toBeLessThan(3 * 60 * 60 * 1000)
  })

  test("triples from the base, within the jitter band", () => {
    for (let attemptsMade = 1; attemptsMade <= 7; attemptsMade++) {
      const nominal = 1_000 * 3 ** (attemptsMade - 1)
      expect(backoffDelay(attemptsMade, 1_000, undefined, () => 0)).toBe(Math.round(nominal * (1 - JITTER)))
      expect(backoffDelay(attemptsMade, 1_000, undefined, () => 0.5)).toBe(nominal)
      expect(backoffDelay(attemptsMade, 1_000, undefined, () => 0.999999)).toBeLessThanOrEqual(nominal * (1 + JITTER))
    }
  })

  test("no wait is ever longer than the cap", () => {
    expect(backoffDelay(40, 1_000, undefined, () => 1)).toBe(BACKOFF_CAP_MS)
  })

  test("Retry-After wins over the schedule, capped at one hour", () => {
    expect(backoffDelay(1, 1_000, 30_000)).toBe(30_000)
    expect(backoffDelay(5, 1_000, 0)).toBe(0)
    expect(backoffDelay(1, 1_000, 10 * 60 * 60 * 1000)).toBe(BACKOFF_CAP_MS)
  })
})

test("a job's lock outlasts the slowest attempt, so no job runs twice at once", () => {
  for (const timeout of [100, 10_000, 60_000]) expect(lockDurationFor(timeout)).toBeGreaterThan(timeout * 2)
})

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-12-03T12:00:00Z")
  test("seconds", () => {
    expect(parseRetryAfter("120", now)).toEqual(Option.some(120_000))
    expect(parseRetryAfter(" 0 ", now)).toEqual(Option.some(0))
  })
  test("an HTTP date, relative to now; a past date means now", () => {
    expect(parseRetryAfter("Thu, 03 Dec 2026 12:05:00 GMT", now)).toEqual(Option.some(300_000))
    expect(parseRetryAfter("Thu, 03 Dec 2026 11:00:00 GMT", now)).toEqual(Option.some(0))
  })
  test("capped at one hour", () => {
    expect(parseRetryAfter("86400", now)).toEqual(Option.some(RETRY_AFTER_CAP_MS))
    expect(parseRetryAfter("Fri, 04 Dec 2026 12:00:00 GMT", now)).toEqual(Option.some(RETRY_AFTER_CAP_MS))
  })
  test("absent or unreadable: none", () => {
    expect(parseRetryAfter(null, now)).toEqual(Option.none())
    expect(parseRetryAfter("soon", now)).toEqual(Option.none())
    expect(parseRetryAfter("-5", now)).toEqual(Option.none())
  })
})
