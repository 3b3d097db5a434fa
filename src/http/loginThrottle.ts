import ipaddr from "ipaddr.js"

/**
 * Wrong dashboard passwords allowed per address in one window; past them, every attempt from the address
 * is answered 429 until the window (which opens at its first wrong password) closes. An attacker gets
 * ten guesses a minute; the right user sharing the address waits at most a minute.
 */
export const LOGIN_THROTTLE = { maxFailures: 10, windowMs: 60_000, maxTracked: 10_000 } as const

export interface LoginThrottle {
  /** How long this address must wait before its next attempt is even checked; 0 when it may try now. */
  readonly waitMs: (key: string) => number
  /**
   * A wrong password. A right one resets nothing: the dashboard polls with the password every few seconds,
   * so an attacker behind the same address would otherwise get a fresh count each time.
   */
  readonly failed: (key: string) => void
}

/**
 * Who is guessing: an IPv4 address (IPv4-mapped IPv6 included) as itself, an IPv6 address by its /64,
 * the block one host is usually given, so stepping through its own addresses does not reset the count.
 */
export const clientKey = (remoteAddress: string | undefined): string => {
  if (remoteAddress === undefined || !ipaddr.isValid(remoteAddress)) return "unknown"
  const address = ipaddr.process(remoteAddress)
  if (address instanceof ipaddr.IPv4) return address.toString()
  const bytes = address.toByteArray().slice(0, 8)
  return `${ipaddr.fromByteArray([...bytes, 0, 0, 0, 0, 0, 0, 0, 0]).toString()}/64`
}

/** Failure counts in memory, at most `maxTracked` addresses (the oldest window is forgotten first). */
export const makeLoginThrottle = (
  { maxFailures, windowMs, maxTracked }: { maxFailures: number; windowMs: number; maxTracked: number } = LOGIN_THROTTLE,
  now: () => number = Date.now
): LoginThrottle => {
  const windows = new Map<string, { failures: number; closesAt: number }>()
  const current = (key: string) => {
    const window = windows.get(key)
    if (window !== undefined && window.closesAt <= now()) windows.delete(key)
    return window !== undefined && window.closesAt > now() ? window : undefined
  }
  return {
    waitMs: (key) => {
      const window = current(key)
      return window !== undefined && window.failures >= maxFailures ? window.closesAt - now() : 0
    },
    failed: (key) => {
      const window = current(key)
      if (window !== undefined) {
        window.failures += 1
        return
      }
      if (windows.size >= maxTracked) {
        const oldest = windows.keys().next()
        if (!oldest.done) windows.delete(oldest.value)
      }
      windows.set(key, { failures: 1, closesAt: now() + windowMs })
    }
  }
}
