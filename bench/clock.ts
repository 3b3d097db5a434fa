/**
 * Milliseconds on a clock every bench process shares: the wall clock at process start plus a monotonic
 * offset, so a 202 seen by the load generator and an arrival seen by the receiver can be subtracted.
 */
export const now = (): number => performance.timeOrigin + performance.now()

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
