import { Job, type Queue as BullMQQueue } from "bullmq"
import { Effect } from "effect"
import type { JobPayload } from "../domain/Action.ts"
import { type NewJob, QueueUnavailable } from "../services/Queue.ts"
import type { RedisClient } from "./RedisConnection.ts"
import { redisWithin, unavailable } from "./redisCall.ts"

/** How long Redis may take to tell its time: the first sign that it answers at all. */
const CLOCK_BUDGET_MS = 400
/** Redis stores the jobs only if it runs the transaction within this window of its own clock reading. */
const GUARD_WINDOW_MS = 900
/** How long the API waits for the transaction's answer after the clock reading (the guard window plus transit). */
const STORE_BUDGET_MS = 1_300
/** Together within the contract's 2 s for a 503. */
export const ENQUEUE_DEADLINE_MS = CLOCK_BUDGET_MS + STORE_BUDGET_MS

/**
 * Runs first inside the transaction. Past the deadline (on Redis's own clock, so no clock skew matters), the
 * caller has been told 503: it occupies the job ids for a minute, so that every add that follows in the same
 * transaction finds its id taken and stores nothing.
 */
const GUARD = {
  name: "nexoraEnqueueGuard",
  // KEYS[1]: the queue's meta key (it fixes the hash slot); ARGV: deadline, job key prefix, job ids.
  numberOfKeys: 1,
  lua: `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now <= tonumber(ARGV[1]) then return 1 end
for i = 3, #ARGV do
  local key = ARGV[2] .. ARGV[i]
  redis.call("HSET", key, "refused", "1")
  redis.call("PEXPIRE", key, 60000)
end
return 0`
}

/** BullMQ's view of our connection, with the guard registered once. */
const guardedClients = new WeakSet<object>()
const bullClientOf = async (queue: BullMQQueue<JobPayload>) => {
  const client = await queue.getBackend().client
  if (!guardedClients.has(client)) {
    client.defineCommand(GUARD.name, { numberOfKeys: GUARD.numberOfKeys, lua: GUARD.lua })
    guardedClients.add(client)
  }
  return client
}

/**
 * Stores all the jobs in one `MULTI` transaction, or none, and only if Redis runs it in time: a Redis that
 * stalls and resumes after the caller was answered 503 stores nothing of that request, ever.
 */
export const addJobsGuarded = (queue: BullMQQueue<JobPayload>, client: RedisClient, jobs: ReadonlyArray<NewJob>) =>
  Effect.gen(function* () {
    const [[seconds, micros], bull] = yield* redisWithin(CLOCK_BUDGET_MS, () => Promise.all([client.time(), bullClientOf(queue)]))
    const deadline = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) + GUARD_WINDOW_MS
    const enqueuedAt = Date.now()
    const jobIds = jobs.map(() => Bun.randomUUIDv7())
    const transaction = bull.multi()
    transaction.runCommand(GUARD.name, [queue.keys.meta, String(deadline), queue.keys[""], ...jobIds])
    jobs.forEach((job, i) => {
      const opts = { ...queue.jobsOpts, jobId: jobIds[i], ...(job.delayMs ? { delay: job.delayMs } : {}) }
      const data = { name: job.name, params: job.params, targetUrl: job.targetUrl, enqueuedAt }
      // Each add only queues its command here; its result is read from `exec` below.
      new Job<JobPayload>(queue, job.name, data, opts, jobIds[i]).addJob(transaction).catch(() => undefined)
    })
    const results = yield* redisWithin(STORE_BUDGET_MS, () => transaction.exec()).pipe(
      Effect.tapError(() =>
        // The guard refuses a transaction that runs late; for one that ran in time but whose answer is late,
        // the removal, queued behind it on the same connection, is the last line.
        Effect.sync(() => {
          for (const id of jobIds) queue.remove(id).catch(() => undefined)
        })
      )
    )
    const [guard, ...adds] = Array.isArray(results) ? results : []
    if (guard === undefined || guard[0] !== null || guard[1] !== 1) {
      return yield* new QueueUnavailable({ reason: "Redis answered too late; nothing was stored" })
    }
    const failed = adds.find(([error]) => error !== null)
    if (failed !== undefined) return yield* unavailable(failed[0])
    return jobIds
  })
