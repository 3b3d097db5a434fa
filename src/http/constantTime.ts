import { createHash, timingSafeEqual } from "node:crypto"

/**
 * Compares two secrets in time that depends on neither their contents nor their lengths:
 * both sides are hashed to 32 bytes first, so unequal lengths take the same path as equal ones.
 */
export const constantTimeEqual = (given: string, expected: string): boolean =>
  timingSafeEqual(createHash("sha256").update(given).digest(), createHash("sha256").update(expected).digest())
