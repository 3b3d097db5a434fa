import type { ReceiverStats } from "../../examples/receiver/server.ts"

const number = new Intl.NumberFormat("en-US")
export const n = (value: number) => number.format(value)
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const millis = (ms: number) => (ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`)

/** The p-th percentile (0–100) by nearest rank. */
export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
}

const latencies = (enqueuedAt: ReadonlyMap<string, number>, arrivals: ReadonlyMap<string, number>) =>
  [...arrivals].flatMap(([id, at]) => {
    const sent = enqueuedAt.get(id)
    return sent === undefined ? [] : [at - sent]
  })

export interface RunFacts {
  readonly total: number
  readonly tenants: number
  readonly requests: number
  readonly enqueueMs: number
  readonly tookMs: number
  readonly completed: number
  readonly failed: ReadonlyArray<{ readonly id: string; readonly reason: string }>
  readonly stats: ReceiverStats
  readonly enqueuedAt: ReadonlyMap<string, number>
  readonly dashboard: string
}

/** Whatever does not add up; empty when every action is delivered once or refused as poison. */
export const unaccounted = (facts: RunFacts, expectedPoison: number): Array<string> => {
  const { stats, failed } = facts
  const problems: Array<string> = []
  if (facts.completed + failed.length !== facts.total) {
    problems.push(`${n(facts.total - facts.completed - failed.length)} actions neither delivered nor failed`)
  }
  const twice = [...stats.processed.values()].filter((times) => times !== 1).length
  if (twice > 0) problems.push(`${twice} actions processed more than once`)
  if (stats.processed.size !== facts.completed) {
    problems.push(`the server completed ${n(facts.completed)} jobs but the receiver processed ${n(stats.processed.size)}`)
  }
  const foreign = failed.filter((job) => !job.reason.startsWith("HTTP 422") || !stats.rejected.has(job.id))
  if (foreign.length > 0) problems.push(`${foreign.length} failed for another reason than the receiver's 422: ${foreign[0]?.reason}`)
  if (failed.length !== expectedPoison) problems.push(`${failed.length} failed, but the data holds ${expectedPoison} poison actions`)
  const refused = [...stats.refused.values()].reduce((a, b) => a + b, 0)
  if (refused > 0) problems.push(`${refused} deliveries failed signature verification`)
  return problems
}

export const summary = (facts: RunFacts): string => {
  const { stats } = facts
  const retriedAttempts = [...stats.unavailable.values()].reduce((a, b) => a + b, 0)
  const refused = [...stats.refused.values()].reduce((a, b) => a + b, 0)
  const reasons = new Map<string, number>()
  for (const job of facts.failed) reasons.set(job.reason, (reasons.get(job.reason) ?? 0) + 1)
  const arrival = latencies(facts.enqueuedAt, stats.firstArrival)
  const delivered = latencies(facts.enqueuedAt, stats.deliveredAt)
  const pad = (label: string) => `  ${label.padEnd(12)}`
  return [
    "",
    "Summary",
    `${pad("actions")}${n(facts.total)} from ${facts.tenants} tenants in ${facts.requests} requests, enqueued in ${seconds(facts.enqueueMs)}`,
    `${pad("delivered")}${n(facts.completed)}, each processed once (${n(stats.duplicates)} repeated deliveries acknowledged)`,
    `${pad("retried")}${n(stats.unavailable.size)} actions after ${n(retriedAttempts)} answers of 503 from the receiver`,
    `${pad("failed")}${n(facts.failed.length)}, kept by the server with the reason:`,
    ...[...reasons].sort((a, b) => b[1] - a[1]).map(([reason, count]) => `${pad("")}  ${count} × ${reason}`),
    `${pad("signatures")}${n(stats.verified)} deliveries verified, ${n(refused)} refused`,
    `${pad("latency")}enqueue → arrival p50 ${millis(percentile(arrival, 50))}, p99 ${millis(percentile(arrival, 99))}` +
      ` (→ delivered, retries included: p50 ${millis(percentile(delivered, 50))}, p99 ${millis(percentile(delivered, 99))})`,
    `${pad("took")}${seconds(facts.tookMs)}`,
    `${pad("dashboard")}${facts.dashboard}`
  ].join("\n")
}
