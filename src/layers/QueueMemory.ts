import { Effect, Layer } from "effect"
import { type NewJob, Queue, QueueUnavailable } from "../services/Queue.ts"

export interface MemoryQueueState {
  readonly jobs: Array<NewJob & { readonly id: string }>
  /** Set to false to play a Redis outage. */
  available: boolean
}

/** The Queue kept in an array, for tests of everything in front of Redis. */
export const makeQueueMemory = () => {
  const state: MemoryQueueState = { jobs: [], available: true }
  let next = 0
  const down = Effect.fail(new QueueUnavailable({ reason: "memory queue switched off" }))
  const layer = Layer.succeed(Queue, {
    add: (jobs) =>
      state.available
        ? Effect.sync(() =>
            jobs.map((job) => {
              const id = `job-${++next}`
              state.jobs.push({ ...job, id })
              return id
            })
          )
        : down,
    ping: Effect.suspend(() => (state.available ? Effect.void : down))
  })
  return { state, layer }
}
