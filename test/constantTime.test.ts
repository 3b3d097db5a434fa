import { describe, expect, test } from "bun:test"
import fc from "fast-check"
import { constantTimeEqual } from "../src/http/constantTime.ts"

describe("constantTimeEqual", () => {
  const secret = "test-token-5b1f0c2e9a7d4e3f8c6b"

  test("accepts only the same secret, whatever the length of the guess", () => {
    expect(constantTimeEqual(secret, secret)).toBe(true)
    for (const guess of ["", "t", secret.slice(0, -1), `${secret}x`, secret.toUpperCase(), `${secret}\0`, secret.repeat(1000)]) {
      expect(constantTimeEqual(guess, secret)).toBe(false)
    }
    expect(constantTimeEqual("", "")).toBe(true)
  })

  test("compares UTF-8 text, not what it looks like", () => {
    expect(constantTimeEqual("caf\u00e9", "cafe\u0301")).toBe(false)
    expect(constantTimeEqual("pässwörd", "pässwörd")).toBe(true)
  })

  test("agrees with === on any pair of strings, of any lengths, and never throws", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (a, b) => constantTimeEqual(a, b) === (a === b)),
      { seed: 5, numRuns: 2_000 }
    )
  })
})
