/**
 * `bun run bench [--quick] [--rounds N] [--only nexora,express,raw,previous] [--phases enqueue1,…,e2e,latency]
 * [--against <git ref>] [--out file]`: Nexora Queue against raw BullMQ and a plain Express + BullMQ server (and,
 * with `--against`, Nexora Queue at another ref), in one run, on a private redis-server and a receiver in its
 * own process.
 * Each measurement runs every system back to back (the order rotates each round); the table shows medians.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { cpus, tmpdir } from "node:os"
import { join } from "node:path"
import { Schema } from "effect"
import { Redis } from "ioredis"
import { startRedis } from "../test/support/redis.ts"
import { cpuSeconds, firstJsonLine, peakRssMb, redisServerPid, ROOT, spawnBun, stop, waitUntil } from "./processes.ts"
import { formatReport, summarize, type Measurement, type Phase } from "./report.ts"
import { LABELS, launch, type SystemName, SYSTEMS } from "./systems.ts"
import type { Workload } from "./workloads.ts"

const args = process.argv.slice(2)
const option = (name: string) => {
  const at = args.indexOf(name)
  return at >= 0 ? args[at + 1] : undefined
}
const quick = args.includes("--quick")

const settings = quick
  ? { rounds: 1, clients: 16, warmupMs: 300, durationMs: 1_000, e2eActions: 1_000, e2eWarmup: 200, steadyRate: 200, steadyWarmupMs: 200, steadyMs: 1_000, deliveryTimeoutMs: 60_000 }
  : { rounds: 3, clients: 16, warmupMs: 1_000, durationMs: 3_000, e2eActions: 20_000, e2eWarmup: 2_000, steadyRate: 500, steadyWarmupMs: 1_000, steadyMs: 10_000, deliveryTimeoutMs: 180_000 }
const rounds = Number(option("--rounds") ?? settings.rounds)
const against = option("--against")
const systems = (option("--only")?.split(",") ?? SYSTEMS)
  .filter((name): name is SystemName => SYSTEMS.some((s) => s === name))
  .filter((name) => name !== "previous" || against !== undefined)

const workloadOf = (phase: Phase): Workload => {
  switch (phase) {
    case "enqueue1":
    case "enqueue10":
    case "enqueue100":
      return { kind: "throughput", clients: settings.clients, batch: Number(phase.slice(7)), warmupMs: settings.warmupMs, durationMs: settings.durationMs }
    case "e2e":
      return { kind: "burst", clients: settings.clients, batch: 100, total: settings.e2eActions, warmup: settings.e2eWarmup }
    case "latency":
      return { kind: "steady", rate: settings.steadyRate, warmupMs: settings.steadyWarmupMs, durationMs: settings.steadyMs }
  }
}
const ALL_PHASES: ReadonlyArray<Phase> = ["enqueue1", "enqueue10", "enqueue100", "e2e", "latency"]
const PHASES = (option("--phases")?.split(",") ?? ALL_PHASES).filter((name): name is Phase => ALL_PHASES.some((p) => p === name))

/** The source of `ref` in a temporary directory, run with this checkout's dependencies. */
function extractRef(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), "nexora-bench-ref-"))
  const archive = Bun.spawnSync(["git", "archive", "--format=tar", ref, "src", "package.json"], { cwd: ROOT })
  if (archive.exitCode !== 0) throw new Error(`git archive ${ref}: ${archive.stderr.toString()}`)
  Bun.spawnSync(["tar", "-x", "-C", dir], { stdin: archive.stdout })
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"))
  return dir
}

const redis = await startRedis()
const control = new Redis(redis.url, { maxRetriesPerRequest: 1 })
const receiverProcess = spawnBun(["bench/receiver.ts"], {}, { stdout: "pipe" })
const { port: receiverPort } = await firstJsonLine<{ port: number }>(receiverProcess, "the receiver")
const receiver = `http://127.0.0.1:${receiverPort}`
const ReceiverStats = Schema.Struct({ count: Schema.Number, last: Schema.Number })
const Arrivals = Schema.Record({ key: Schema.String, value: Schema.Number })
const receiverStats = async () => Schema.decodeUnknownSync(ReceiverStats)(await (await fetch(`${receiver}/stats`)).json())
const env = { redisUrl: redis.url, targetUrl: `${receiver}/hook`, previousRoot: against === undefined ? undefined : extractRef(against) }
const redisPid = redisServerPid(redis.port) ?? process.pid

/** One system through one phase, on an empty Redis and a reset receiver. */
const measure = async (system: SystemName, phase: Phase, round: number): Promise<Measurement> => {
  await control.flushall()
  await fetch(`${receiver}/reset`, { method: "POST" })
  const role = phase.startsWith("enqueue") ? "api" : "all"
  let redisCpuBefore = cpuSeconds(redisPid)
  const awaitWarmUp = async (accepted: number) => {
    await waitUntil(`${accepted} warm-up deliveries`, async () => (await receiverStats()).count >= accepted, settings.deliveryTimeoutMs)
    await fetch(`${receiver}/reset`, { method: "POST" })
    redisCpuBefore = cpuSeconds(redisPid)
  }
  const launched = await launch(system, role, workloadOf(phase), env, awaitWarmUp)
  try {
    const { result } = launched
    if (result.kind !== "throughput") {
      await waitUntil(
        `${result.accepted} deliveries from ${LABELS[system]}`,
        async () => (await receiverStats()).count >= result.accepted,
        settings.deliveryTimeoutMs
      )
    }
    // CPU per action accepted (and, but for enqueue, delivered), start-up and warm-up burst excluded.
    const cpu = {
      peakRssMb: peakRssMb(launched.pid),
      cpuUsPerAction: ((cpuSeconds(launched.pid) - launched.cpuAtStart) * 1e6) / result.accepted,
      redisCpuUsPerAction: ((cpuSeconds(redisPid) - redisCpuBefore) * 1e6) / result.accepted
    }
    // Refused requests (an overloaded system answering 503, say) are counted and reported, not fatal.
    const base = { system, phase, round, errors: result.errors, ...cpu }
    if (result.kind === "throughput") return { ...base, value: result.actions / result.seconds }
    if (result.kind === "burst") {
      const { last } = await receiverStats()
      return { ...base, value: result.accepted / ((last - result.startedAt) / 1000) }
    }
    const arrivals = Schema.decodeUnknownSync(Arrivals)(await (await fetch(`${receiver}/arrivals`)).json())
    const latencies = result.acks.map(([id, ackAt]) => (arrivals[id] ?? Number.NaN) - ackAt)
    return { ...base, value: Number.NaN, latencies }
  } finally {
    await launched.stop()
  }
}

const measurements: Array<Measurement> = []
const started = Date.now()
try {
  for (let round = 0; round < rounds; round++) {
    for (const phase of PHASES) {
      // Alternate: every system runs this phase before the next phase, first place rotating per round.
      const order = systems.map((_, i) => systems[(i + round) % systems.length] ?? "nexora")
      for (const system of order) {
        const m = await measure(system, phase, round)
        measurements.push(m)
        console.error(`round ${round + 1}/${rounds} ${phase.padEnd(10)} ${LABELS[system].padEnd(17)} ${describe(m)}`)
      }
    }
  }
} finally {
  control.disconnect()
  await stop(receiverProcess.proc, 1_000)
  await redis.dispose()
  if (env.previousRoot !== undefined) rmSync(env.previousRoot, { recursive: true, force: true })
}

function describe(m: Measurement): string {
  const refused = m.errors > 0 ? `, ${m.errors} requests refused` : ""
  const rss = `cpu ${m.cpuUsPerAction.toFixed(0)} µs/action (redis ${m.redisCpuUsPerAction.toFixed(0)}), rss ${m.peakRssMb.toFixed(0)} MB`
  if (m.latencies === undefined) return `${m.value.toFixed(0)} actions/s, ${rss}${refused}`
  const sorted = [...m.latencies].sort((a, b) => a - b)
  return `p50 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(2)} ms, max ${sorted.at(-1)?.toFixed(2)} ms, ${rss}${refused}`
}

const summary = summarize(measurements, systems)
console.log(formatReport(summary, { quick, rounds, seconds: (Date.now() - started) / 1000, against }))
const out = option("--out") ?? join(ROOT, "bench", "results", quick ? "quick.json" : "latest.json")
mkdirSync(join(out, ".."), { recursive: true })
writeFileSync(
  out,
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", bun: Bun.version },
      settings: { ...settings, rounds, quick, ...(against === undefined ? {} : { against }) },
      ...summary,
      measurements: measurements.map(({ latencies, ...m }) => ({ ...m, ...(latencies ? { samples: latencies.length } : {}) }))
    },
    null,
    2
  )}\n`
)
console.log(`written to ${out}`)
// In CI the numbers are not judged, but a system that refuses requests means the harness or the server broke.
if (quick && summary.refused.length > 0) process.exitCode = 1
