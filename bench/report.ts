import { max, median, quantile } from "./stats.ts"
import { LABELS, type SystemName, SYSTEMS } from "./systems.ts"

export type Phase = "enqueue1" | "enqueue10" | "enqueue100" | "e2e" | "latency"

/** One system through one phase of one round: actions/s (throughput phases) or latencies in ms. */
export interface Measurement {
  readonly system: SystemName
  readonly phase: Phase
  readonly round: number
  readonly value: number
  readonly latencies?: ReadonlyArray<number>
  /** Requests the system refused (any non-202 answer, or none). */
  readonly errors: number
  readonly peakRssMb: number
  /** CPU time of the measured process per action, start-up excluded; the rest of the machine is busy too. */
  readonly cpuUsPerAction: number
  readonly redisCpuUsPerAction: number
}

export const METRICS = [
  "enqueue1",
  "enqueue10",
  "enqueue100",
  "e2e",
  "p50",
  "p99",
  "max",
  "peakRssMb",
  "cpuEnqueue1",
  "cpuEnqueue100",
  "cpuE2e",
  "redisCpuE2e"
] as const
export type Metric = (typeof METRICS)[number]

const METRIC_LABELS: Record<Metric, string> = {
  enqueue1: "enqueue, batches of 1 (actions/s)",
  enqueue10: "enqueue, batches of 10 (actions/s)",
  enqueue100: "enqueue, batches of 100 (actions/s)",
  e2e: "end to end (actions/s)",
  p50: "202 → arrival, steady rate, p50 (ms)",
  p99: "202 → arrival, steady rate, p99 (ms)",
  max: "202 → arrival, steady rate, max (ms)",
  peakRssMb: "peak RSS (MB)",
  cpuEnqueue1: "CPU per action, enqueue in batches of 1 (µs)",
  cpuEnqueue100: "CPU per action, enqueue in batches of 100 (µs)",
  cpuE2e: "CPU per action, end to end (µs)",
  redisCpuE2e: "Redis CPU per action, end to end (µs)"
}

/** Higher is better for these; their ratios are printed. */
const THROUGHPUTS: ReadonlyArray<Metric> = ["enqueue1", "enqueue10", "enqueue100", "e2e"]

export type Figures = Partial<Record<Metric, number>>

export interface Target {
  readonly name: string
  readonly actual: number
  readonly wanted: string
  readonly met: boolean
}

export interface Summary {
  /** Medians over rounds. */
  readonly medians: Partial<Record<SystemName, Figures>>
  readonly ratios: { readonly overExpress: Figures; readonly overRaw: Figures; readonly overPrevious: Figures }
  readonly targets: ReadonlyArray<Target>
  readonly refused: ReadonlyArray<{ readonly system: SystemName; readonly phase: Phase; readonly round: number; readonly errors: number }>
}

/** Per round: the phase's figure; latency percentiles of the round's samples; the round's highest peak RSS. */
const perRound = (measurements: ReadonlyArray<Measurement>, system: SystemName): Array<Figures> => {
  const rounds = [...new Set(measurements.filter((m) => m.system === system).map((m) => m.round))]
  return rounds.map((round) => {
    const mine = measurements.filter((m) => m.system === system && m.round === round)
    const figures: Figures = { peakRssMb: max(mine.map((m) => m.peakRssMb)) }
    for (const m of mine) {
      if (m.latencies !== undefined) {
        figures.p50 = quantile(m.latencies, 0.5)
        figures.p99 = quantile(m.latencies, 0.99)
        figures.max = max(m.latencies)
      } else if (m.phase !== "latency") {
        figures[m.phase] = m.value
      }
      if (m.phase === "enqueue1") figures.cpuEnqueue1 = m.cpuUsPerAction
      if (m.phase === "enqueue100") figures.cpuEnqueue100 = m.cpuUsPerAction
      if (m.phase === "e2e") {
        figures.cpuE2e = m.cpuUsPerAction
        figures.redisCpuE2e = m.redisCpuUsPerAction
      }
    }
    return figures
  })
}

const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? a / b : Number.NaN)

export const summarize = (measurements: ReadonlyArray<Measurement>, systems: ReadonlyArray<SystemName>): Summary => {
  const medians: Partial<Record<SystemName, Figures>> = {}
  for (const system of systems) {
    const rounds = perRound(measurements, system)
    const figures: Figures = {}
    for (const metric of METRICS) {
      const values = rounds.map((r) => r[metric]).filter((v): v is number => v !== undefined)
      if (values.length > 0) figures[metric] = median(values)
    }
    medians[system] = figures
  }
  const { nexora, express, raw, previous } = medians
  const overExpress: Figures = {}
  const overRaw: Figures = {}
  const overPrevious: Figures = {}
  for (const metric of THROUGHPUTS) {
    overExpress[metric] = ratio(nexora?.[metric], express?.[metric])
    overRaw[metric] = ratio(nexora?.[metric], raw?.[metric])
    overPrevious[metric] = ratio(nexora?.[metric], previous?.[metric])
  }
  const targets: Array<Target> = []
  if (nexora !== undefined) {
    const at = (name: string, actual: number | undefined, wanted: string, met: (n: number) => boolean) => {
      if (actual !== undefined && Number.isFinite(actual)) targets.push({ name, actual, wanted, met: met(actual) })
    }
    at("enqueue, batches of 100 / raw addBulk", overRaw.enqueue100, ">= 0.9", (n) => n >= 0.9)
    at("end to end / Express baseline", overExpress.e2e, ">= 1.5", (n) => n >= 1.5)
    at("end to end / raw loop", overRaw.e2e, ">= 0.9", (n) => n >= 0.9)
    at("latency at 500/s, p99 (ms)", nexora.p99, "< 10", (n) => n < 10)
    at("peak RSS (MB)", nexora.peakRssMb, "< 120", (n) => n < 120)
  }
  const refused = measurements.filter((m) => m.errors > 0).map(({ system, phase, round, errors }) => ({ system, phase, round, errors }))
  return { medians, ratios: { overExpress, overRaw, overPrevious }, targets, refused }
}

const show = (n: number | undefined, metric: Metric) => {
  if (n === undefined || !Number.isFinite(n)) return "–"
  if (THROUGHPUTS.includes(metric)) return Math.round(n).toLocaleString("en-US")
  return n.toFixed(metric === "p50" || metric === "p99" || metric === "max" ? 2 : 0)
}
const showRatio = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "–" : `${n.toFixed(2)}×`)

/** The table as Markdown (ready for the README), then the targets. */
export const formatReport = (
  summary: Summary,
  run: { readonly quick: boolean; readonly rounds: number; readonly seconds: number; readonly against?: string | undefined }
): string => {
  const systems = SYSTEMS.filter((s) => summary.medians[s] !== undefined)
  const withPrevious = summary.medians.previous !== undefined
  const label = (s: SystemName) => (s === "previous" ? `Nexora Queue @${run.against ?? "?"}` : LABELS[s])
  const header = ["", ...systems.map(label), "Nexora / Express", "Nexora / raw", ...(withPrevious ? ["Nexora / previous"] : [])]
  const ratioCell = (figures: Figures, metric: Metric) => (THROUGHPUTS.includes(metric) ? showRatio(figures[metric]) : "")
  const rows = METRICS.map((metric) => [
    METRIC_LABELS[metric],
    ...systems.map((s) => show(summary.medians[s]?.[metric], metric)),
    ratioCell(summary.ratios.overExpress, metric),
    ratioCell(summary.ratios.overRaw, metric),
    ...(withPrevious ? [ratioCell(summary.ratios.overPrevious, metric)] : [])
  ])
  const line = (cells: ReadonlyArray<string>) => `| ${cells.join(" | ")} |`
  const table = [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n")
  const targets = summary.targets
    .map((t) => `  ${t.met ? "met    " : "NOT met"}  ${t.name}: ${t.actual.toFixed(2)} (wanted ${t.wanted})`)
    .join("\n")
  const refused = summary.refused
    .map((r) => `  ${label(r.system)}, ${r.phase}, round ${r.round + 1}: ${r.errors} requests refused`)
    .join("\n")
  const mode = run.quick ? "quick mode: tiny counts, the numbers mean nothing" : `median of ${run.rounds} rounds`
  return `\n${table}\n\n(${mode}; ${run.seconds.toFixed(0)} s)\n${refused ? `\nRefused:\n${refused}\n` : ""}\nTargets:\n${targets}\n`
}
