import { describe, expect, test } from "bun:test"
import { Option } from "effect"
import { parseRetryAfter, RETRY_AFTER_CAP_MS } from "../src/domain/DeliveryOutcome.ts"
import { BACKOFF_CAP_MS, backoffDelay, JITTER } from "../src/worker/backoff.ts"

describe("backoffDelay", () => {
  test("doubles from the base, within the jitter band", () => {
    for (let attemptsMade = 1; attemptsMade <= 10; attemptsMade++) {
      const nominal = 1_000 * 2 ** (attemptsMade - 1)
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
