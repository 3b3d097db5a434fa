import { Effect, Layer, Option } from "effect"
import type { JobView } from "../domain/JobView.ts"
import {
  type Added,
  IdempotencyConflict,
  JobNotFailed,
  JobNotFound,
  type NewJob,
  Queue,
  QueueUnavailable
} from "../services/Queue.ts"

export interface MemoryJob extends NewJob {
  readonly id: string
  state: "waiting" | "delayed" | "failed" | "completed"
}

export interface MemoryQueueState {
  readonly jobs: Array<MemoryJob>
  readonly keys: Map<string, { readonly fingerprint: string; readonly jobIds: ReadonlyArray<string> }>
  /** Set to false to play a Redis outage. */
  available: boolean
}

const view = (job: MemoryJob): JobView => ({
  id: job.id,
  name: job.name,
  params: job.params,
  targetUrl: job.targetUrl,
  state: job.state,
  attemptsMade: 0,
  maxAttempts: 1,
  enqueuedAt: new Date(0).toISOString(),
  deliverAfter: null,
  processedAt: null,
  finishedAt: null,
  failedReason: null,
  lastAttempt: null,
  history: []
})

/** The Queue kept in arrays, for tests of everything in front of Redis. */
export const makeQueueMemory = () => {
  const state: MemoryQueueState = { jobs: [], keys: new Map(), available: true }
  let next = 0
  const whenUp = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E | QueueUnavailable> =>
    Effect.suspend((): Effect.Effect<A, E | QueueUnavailable> =>
      state.available ? effect : Effect.fail(new QueueUnavailable({ reason: "memory queue switched off" }))
    )
  const store = (jobs: ReadonlyArray<NewJob>) =>
    jobs.map((job) => {
      const stored: MemoryJob = { ...job, id: `job-${++next}`, state: job.delayMs ? "delayed" : "waiting" }
      state.jobs.push(stored)
      return stored.id
    })
  const find = (id: string) => Option.fromNullable(state.jobs.find((job) => job.id === id))

  const layer = Layer.succeed(Queue, {
    add: (jobs, idempotency) =>
      whenUp(
        Effect.suspend((): Effect.Effect<Added, IdempotencyConflict> => {
          if (idempotency === undefined) return Effect.succeed({ jobIds: store(jobs), duplicate: false })
          const seen = state.keys.get(idempotency.key)
          if (seen === undefined) {
            const jobIds = store(jobs)
            state.keys.set(idempotency.key, { fingerprint: idempotency.fingerprint, jobIds })
            return Effect.succeed({ jobIds, duplicate: false })
          }
          return seen.fingerprint === idempotency.fingerprint
            ? Effect.succeed({ jobIds: seen.jobIds, duplicate: true })
            : Effect.fail(new IdempotencyConflict({ reason: "this Idempotency-Key was already used with a different request" }))
        })
      ),
    get: (id) => whenUp(Effect.sync(() => Option.map(find(id), view))),
    retry: (id) =>
      whenUp(
        Option.match(find(id), {
          onNone: (): Effect.Effect<void, JobNotFound | JobNotFailed> => Effect.fail(new JobNotFound({ id })),
          onSome: (job) =>
            job.state === "failed"
              ? Effect.sync(() => {
                  job.state = "waiting"
                })
              : Effect.fail(new JobNotFailed({ id, state: job.state }))
        })
      ),
    retryFailed: (filter) =>
      whenUp(
        Effect.sync(() => {
          const matching = state.jobs.filter((job) => job.state === "failed" && (filter.name === undefined || job.name === filter.name))
          for (const job of matching) job.state = "waiting"
          return matching.length
        })
      ),
    counts: whenUp(
      Effect.sync(() => {
        const count = (wanted: MemoryJob["state"]) => state.jobs.filter((job) => job.state === wanted).length
        return { waiting: count("waiting"), active: 0, delayed: count("delayed"), failed: count("failed"), completed: count("completed") }
      })
    ),
    ping: whenUp(Effect.void)
  })
  return { state, layer }
}
