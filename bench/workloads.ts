import { now, sleep } from "./clock.ts"

/** Sends `count` actions in one request (or one `addBulk`) and answers the job ids, in order. */
export type Submit = (count: number) => Promise<ReadonlyArray<string>>

/** What each system is asked to do in one phase; the same shapes drive HTTP and in-process loads. */
export type Workload =
  | { readonly kind: "throughput"; readonly clients: number; readonly batch: number; readonly warmupMs: number; readonly durationMs: number }
  | { readonly kind: "burst"; readonly clients: number; readonly batch: number; readonly total: number; readonly warmup: number }
  | { readonly kind: "steady"; readonly rate: number; readonly warmupMs: number; readonly durationMs: number }

export type WorkloadResult =
  | { readonly kind: "throughput"; readonly actions: number; readonly seconds: number; readonly accepted: number; readonly errors: number }
  | { readonly kind: "burst"; readonly startedAt: number; readonly acceptedAt: number; readonly accepted: number; readonly errors: number }
  | { readonly kind: "steady"; readonly acks: ReadonlyArray<readonly [string, number]>; readonly accepted: number; readonly errors: number }

/** The action of the contract's example, the same for every system. */
export const sampleAction = { name: "CREATE_ORDER", params: { data: { total: 45.0 }, tenantId: "t_123" } }

/** `clients` closed loops, each sending its next batch when the last is answered; counts what lands in the window. */
const throughput = async (submit: Submit, w: Extract<Workload, { kind: "throughput" }>): Promise<WorkloadResult> => {
  const from = now() + w.warmupMs
  const until = from + w.durationMs
  let actions = 0
  let accepted = 0
  let errors = 0
  const client = async () => {
    while (now() < until) {
      const ok = await submit(w.batch).then(
        () => true,
        () => false
      )
      const at = now()
      if (!ok) errors++
      else accepted += w.batch
      if (ok && at >= from && at <= until) actions += w.batch
    }
  }
  await Promise.all(Array.from({ length: w.clients }, client))
  return { kind: "throughput", actions, seconds: w.durationMs / 1000, accepted, errors }
}

/** `total` actions as fast as `clients` loops can send them: the start of an end-to-end run. */
const sendAll = async (submit: Submit, w: Extract<Workload, { kind: "burst" }>, total: number) => {
  let next = 0
  let accepted = 0
  let errors = 0
  const client = async () => {
    while (next < total) {
      const count = Math.min(w.batch, total - next)
      next += count
      await submit(count).then(
        (ids) => void (accepted += ids.length),
        () => void errors++
      )
    }
  }
  await Promise.all(Array.from({ length: w.clients }, client))
  return { accepted, errors }
}

/**
 * A warm-up burst first, so the measured one meets a warm process (JIT done, connections open); `warmedUp`
 * returns once those are delivered. Then the measured burst.
 */
const burst = async (submit: Submit, w: Extract<Workload, { kind: "burst" }>, warmedUp: WarmedUp): Promise<WorkloadResult> => {
  if (w.warmup > 0) {
    const warm = await sendAll(submit, w, w.warmup)
    await warmedUp(warm.accepted)
  }
  const startedAt = now()
  const { accepted, errors } = await sendAll(submit, w, w.total)
  return { kind: "burst", startedAt, acceptedAt: now(), accepted, errors }
}

/** One action per request at a fixed rate (open loop: a slow answer does not slow the sender). */
const steady = async (submit: Submit, w: Extract<Workload, { kind: "steady" }>): Promise<WorkloadResult> => {
  const acks: Array<readonly [string, number]> = []
  const total = Math.round((w.rate * (w.warmupMs + w.durationMs)) / 1000)
  const warmup = Math.round((w.rate * w.warmupMs) / 1000)
  const pending = new Set<Promise<void>>()
  const start = now()
  let sent = 0
  let accepted = 0
  let errors = 0
  while (sent < total) {
    const due = Math.min(total, Math.floor(((now() - start) * w.rate) / 1000) + 1)
    for (; sent < due; sent++) {
      const index = sent
      const request: Promise<void> = submit(1).then(
        (ids) => {
          const at = now()
          accepted += ids.length
          if (index >= warmup) for (const id of ids) acks.push([id, at])
        },
        () => void errors++
      )
      pending.add(request)
      void request.finally(() => pending.delete(request))
    }
    await sleep(1)
  }
  await Promise.all(pending)
  return { kind: "steady", acks, accepted, errors }
}

/** Called by a burst between its warm-up and the measured part, with the warm-up's accepted actions. */
export type WarmedUp = (accepted: number) => Promise<void>

export const runWorkload = (submit: Submit, workload: Workload, warmedUp: WarmedUp): Promise<WorkloadResult> =>
  workload.kind === "throughput"
    ? throughput(submit, workload)
    : workload.kind === "burst"
      ? burst(submit, workload, warmedUp)
      : steady(submit, workload)

/**
 * How a driver process (load generator, raw baseline) hands over after the warm-up: it prints
 * `{"warm": n}` and waits for a line on stdin, sent once the bench has seen those n deliveries.
 */
export const awaitGo: WarmedUp = async (accepted) => {
  console.log(JSON.stringify({ warm: accepted }))
  for await (const _line of console) return
}
