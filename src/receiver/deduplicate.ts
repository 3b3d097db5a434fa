/** What a store knows of a `webhook-id`: nothing, someone is processing it, or it was processed. */
export type ClaimResult = "claimed" | "processing" | "done"

/**
 * Where processed `webhook-id`s are remembered. The in-memory store below serves one process; back it with
 * your database or Redis when the app runs on several (with Redis: `claim` is `SET key processing NX PX leaseMs`
 * falling back to `GET key`, `complete` is `SET key done PX ttlMs`, `release` is `DEL key`).
 */
export interface WebhookIdStore {
  /** Marks `id` as being processed for at most `leaseMs` unless it is known; says what was there. */
  claim(id: string, leaseMs: number): ClaimResult | Promise<ClaimResult>
  /** Marks `id` as processed, remembered for `ttlMs`. */
  complete(id: string, ttlMs: number): void | Promise<void>
  /** Forgets `id`: its processing failed, and the retry must run again. */
  release(id: string): void | Promise<void>
}

export interface MemoryStoreOptions {
  /** Beyond this many ids the oldest are forgotten first, so memory stays bounded. Default 100,000. */
  readonly maxEntries?: number
  /** The clock in milliseconds (for tests). Default `Date.now`. */
  readonly now?: () => number
}

/** A `WebhookIdStore` in this process's memory, with expiry. */
export const memoryWebhookIdStore = (options: MemoryStoreOptions = {}): WebhookIdStore => {
  const maxEntries = options.maxEntries ?? 100_000
  const now = options.now ?? Date.now
  // Insertion order is expiry order for equal TTLs, so the first keys are the first to evict.
  const entries = new Map<string, { state: "processing" | "done"; expiresAt: number }>()
  const put = (id: string, state: "processing" | "done", ms: number) => {
    entries.delete(id)
    entries.set(id, { state, expiresAt: now() + ms })
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries) break
      entries.delete(oldest)
    }
  }
  return {
    claim: (id, leaseMs) => {
      const known = entries.get(id)
      if (known !== undefined && known.expiresAt > now()) return known.state
      put(id, "processing", leaseMs)
      return "claimed"
    },
    complete: (id, ttlMs) => put(id, "done", ttlMs),
    release: (id) => {
      entries.delete(id)
    }
  }
}

export interface ProcessOnceOptions {
  /** How long a processed id is remembered. Default 24 hours: longer than a job's retries last. */
  readonly ttlMs?: number
  /** How long a claim holds if the process dies while processing. Default 60 seconds. */
  readonly leaseMs?: number
}

export type ProcessOnceResult<A> =
  | { readonly status: "processed"; readonly value: A }
  /** Processed before: acknowledge it (2xx) without doing it again. */
  | { readonly status: "duplicate" }
  /** Another delivery of the same id is being processed right now: answer 503 so it is retried later. */
  | { readonly status: "in-progress" }

export const DEFAULT_DEDUP_TTL_MS = 24 * 60 * 60 * 1000
export const DEFAULT_DEDUP_LEASE_MS = 60 * 1000

/**
 * Runs `process` once per `webhook-id`. When `process` throws (or rejects), the id is released and the error
 * passes through, so the sender's retry processes it again.
 */
export const processOnce = async <A>(
  store: WebhookIdStore,
  id: string,
  process: () => A | Promise<A>,
  options: ProcessOnceOptions = {}
): Promise<ProcessOnceResult<A>> => {
  const claim = await store.claim(id, options.leaseMs ?? DEFAULT_DEDUP_LEASE_MS)
  if (claim === "done") return { status: "duplicate" }
  if (claim === "processing") return { status: "in-progress" }
  let value: A
  try {
    value = await process()
  } catch (error) {
    await store.release(id)
    throw error
  }
  await store.complete(id, options.ttlMs ?? DEFAULT_DEDUP_TTL_MS)
  return { status: "processed", value }
}
