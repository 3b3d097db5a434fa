import { createHash, randomUUID } from "node:crypto"
import { Duration, Effect, Option, Schedule } from "effect"
import { type Added, IDEMPOTENCY_TTL_MS, type Idempotency, IdempotencyConflict, type QueueUnavailable } from "../services/Queue.ts"
import { redis } from "./redisCall.ts"
import type { RedisClient } from "./RedisConnection.ts"

/** How long a request holding an `Idempotency-Key` may take to store its jobs before the key is free again. */
const PENDING_TTL_MS = 30_000
/** How long a repeat waits for a concurrent first request with the same key to finish. */
const CONCURRENT_WAIT = Duration.seconds(1)

/** Deletes the key only if it still holds this claim, so a late release never frees another request's claim. */
const RELEASE_SCRIPT = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`

interface IdempotencyRecord {
  readonly fingerprint: string
  /** Set once the first request's jobs are stored. */
  readonly jobIds?: ReadonlyArray<string>
}

const parseRecord = (raw: string): Option.Option<IdempotencyRecord> => {
  try {
    const value: unknown = JSON.parse(raw)
    return typeof value === "object" && value !== null && "fingerprint" in value && typeof value.fingerprint === "string"
      ? Option.some({
          fingerprint: value.fingerprint,
          ...("jobIds" in value && Array.isArray(value.jobIds) ? { jobIds: value.jobIds.map(String) } : {})
        })
      : Option.none()
  } catch {
    return Option.none()
  }
}

class StillPending {
  readonly _tag = "StillPending"
}

/**
 * `Idempotency-Key`: the first request claims the key (`SET NX`), stores its jobs, then records their ids for
 * 24 hours. A repeat with the same request answers those ids; a concurrent repeat waits briefly for them.
 * When the first request fails (Redis away or too slow), its claim is released, so a retry enqueues normally.
 */
export const addOnce = (
  client: RedisClient,
  keyPrefix: string,
  addJobs: Effect.Effect<ReadonlyArray<string>, QueueUnavailable>,
  { key, fingerprint }: Idempotency
) => {
  const redisKey = `${keyPrefix}:idempotency:${createHash("sha256").update(key).digest("hex")}`
  const claimValue = JSON.stringify({ fingerprint, claim: randomUUID() })
  // Sent at once, even when Redis seems stalled: it runs after the claim on the same connection, whenever that does.
  const release = Effect.sync(() => {
    client.eval(RELEASE_SCRIPT, 1, redisKey, claimValue).catch(() => undefined)
  })

  const firstAnswer = Effect.gen(function* () {
    const jobIds = yield* addJobs.pipe(Effect.tapError(() => release))
    // The jobs are stored: whatever happens to this write, the answer is 202.
    yield* redis(() => client.set(redisKey, JSON.stringify({ fingerprint, jobIds }), "PX", IDEMPOTENCY_TTL_MS)).pipe(
      Effect.tapError((error) => Effect.logWarning("could not record an idempotency key", error.reason)),
      Effect.ignore
    )
    return { jobIds, duplicate: false } satisfies Added
  })

  const attempt: Effect.Effect<Added, QueueUnavailable | IdempotencyConflict | StillPending> = Effect.gen(function* () {
    const claimed = yield* redis(() => client.set(redisKey, claimValue, "PX", PENDING_TTL_MS, "NX")).pipe(
      Effect.tapError(() => release)
    )
    if (claimed === "OK") return yield* firstAnswer
    const raw = yield* redis(() => client.get(redisKey))
    if (raw === null) return yield* Effect.fail(new StillPending())
    const record = parseRecord(raw)
    if (Option.isNone(record) || record.value.fingerprint !== fingerprint) {
      return yield* new IdempotencyConflict({ reason: "this Idempotency-Key was already used with a different request" })
    }
    if (record.value.jobIds === undefined) return yield* Effect.fail(new StillPending())
    return { jobIds: record.value.jobIds, duplicate: true }
  })

  return attempt.pipe(
    Effect.retry({
      while: (error) => error instanceof StillPending,
      schedule: Schedule.spaced("50 millis").pipe(Schedule.upTo(CONCURRENT_WAIT))
    }),
    Effect.catchIf(
      (error): error is StillPending => error instanceof StillPending,
      () => new IdempotencyConflict({ reason: "a request with this Idempotency-Key is still being stored; retry shortly" })
    )
  )
}
