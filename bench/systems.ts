import { join } from "node:path"
import { freePort } from "../test/support/ports.ts"
import { type Child, cpuSeconds, jsonLines, sendLine, type Spawned, spawnBun, stop, waitUntil } from "./processes.ts"
import type { Workload, WorkloadResult } from "./workloads.ts"

/** `previous`: Nexora Queue at another git ref (`--against`), run the same way, to compare releases. */
export const SYSTEMS = ["nexora", "express", "raw", "previous"] as const
export type SystemName = (typeof SYSTEMS)[number]

export const LABELS: Record<SystemName, string> = {
  nexora: "Nexora Queue",
  express: "Express + BullMQ",
  raw: "raw BullMQ",
  previous: "Nexora Queue (--against)"
}

/** `api`: only accepting (no worker), for enqueue throughput; `all`: accepting and delivering. */
export type Role = "api" | "all"

export interface Environment {
  readonly redisUrl: string
  readonly targetUrl: string
  /** Where the `--against` ref's source was extracted. */
  readonly previousRoot?: string | undefined
}

/** One system run through one workload: its answer, and the process whose memory is measured. */
export interface Launched {
  readonly result: WorkloadResult
  readonly pid: number
  /** The process's CPU seconds when the measured workload began (after start-up, and a burst's warm-up). */
  readonly cpuAtStart: number
  stop(): Promise<void>
}

const TOKEN = "bench-token-3f9a1c7e5b2d4068"
const SECRET = "bench-webhook-secret-8e2b6d0a4c1f"

const startServer = async (script: string, env: Record<string, string>, readyPath: string) => {
  const port = await freePort()
  const server = spawnBun([script], { ...env, PORT: String(port), HOST: "127.0.0.1" }, { stdout: "ignore" })
  const url = `http://127.0.0.1:${port}`
  await waitUntil(
    `${script} to answer ${readyPath}`,
    async () => {
      if (server.proc.exitCode !== null) throw new Error(`${script} exited with ${server.proc.exitCode}:\n${server.stderr()}`)
      return (await fetch(`${url}${readyPath}`)).ok
    },
    20_000
  ).catch(async (error) => {
    await stop(server.proc, 1_000)
    throw error instanceof Error ? new Error(`${error.message}\n${server.stderr()}`) : error
  })
  return { server, url }
}

/** Called when a burst's warm-up is accepted; returns once those actions have arrived. */
export type AwaitWarmUp = (accepted: number) => Promise<void>

/**
 * Reads a driver's lines to the end of its workload: after a burst's warm-up (`{"warm": n}`), waits for those
 * deliveries, takes the CPU reading the measurement starts from, and lets the driver go on.
 */
const drive = async (driver: Spawned, next: ReturnType<typeof jsonLines>, pid: number, cpuAtReady: number, awaitWarmUp: AwaitWarmUp) => {
  let cpuAtStart = cpuAtReady
  for (;;) {
    const line = await next<WorkloadResult | { readonly warm: number }>()
    if (!("warm" in line)) return { result: line, cpuAtStart }
    await awaitWarmUp(line.warm)
    cpuAtStart = cpuSeconds(pid)
    sendLine(driver, "go")
  }
}

/** An HTTP system: its server, driven by the load generator in a third process. */
const overHttp = async (
  script: string,
  readyPath: string,
  role: Role,
  workload: Workload,
  env: Environment,
  awaitWarmUp: AwaitWarmUp
): Promise<Launched> => {
  const { server, url } = await startServer(
    script,
    {
      REDIS_URL: env.redisUrl,
      DEFAULT_TARGET_URL: env.targetUrl,
      INTERNAL_ACCESS_TOKEN: TOKEN,
      WEBHOOK_SECRET: SECRET,
      ADMIN_USER: "bench",
      ADMIN_PASS: "bench-admin-pass",
      ROLE: role
    },
    readyPath
  )
  const stopServer = () => stop(server.proc)
  try {
    const cpuAtReady = cpuSeconds(server.proc.pid)
    const load = spawnBun(["bench/loadgen.ts", JSON.stringify({ url, token: TOKEN, workload })], {}, { stdout: "pipe", stdin: "pipe" })
    const { result, cpuAtStart } = await drive(load, jsonLines(load, "the load generator"), server.proc.pid, cpuAtReady, awaitWarmUp)
    if (server.proc.exitCode !== null) throw new Error(`${script} exited during the run:\n${server.stderr()}`)
    return { result, pid: server.proc.pid, cpuAtStart, stop: stopServer }
  } catch (error) {
    await stopServer()
    throw error
  }
}

const inProcess = async (role: Role, workload: Workload, env: Environment, concurrency: number, awaitWarmUp: AwaitWarmUp): Promise<Launched> => {
  const raw = spawnBun(
    ["bench/baselines/raw.ts", JSON.stringify(workload)],
    { REDIS_URL: env.redisUrl, TARGET_URL: env.targetUrl, CONCURRENCY: String(concurrency), ROLE: role },
    { stdout: "pipe", stdin: "pipe" }
  )
  const stopRaw = (proc: Child) => stop(proc)
  try {
    const next = jsonLines(raw, "the raw BullMQ baseline")
    await next<{ ready: true }>()
    const { result, cpuAtStart } = await drive(raw, next, raw.proc.pid, cpuSeconds(raw.proc.pid), awaitWarmUp)
    return { result, pid: raw.proc.pid, cpuAtStart, stop: () => stopRaw(raw.proc) }
  } catch (error) {
    await stopRaw(raw.proc)
    throw error
  }
}

/** Nexora Queue is started as a user starts it, with its defaults (concurrency 50, `LOG_LEVEL=info`). */
export const launch = (system: SystemName, role: Role, workload: Workload, env: Environment, awaitWarmUp: AwaitWarmUp): Promise<Launched> => {
  switch (system) {
    case "nexora":
      return overHttp("src/index.ts", "/readyz", role, workload, env, awaitWarmUp)
    case "express":
      return overHttp("bench/baselines/express.ts", "/healthz", role, workload, env, awaitWarmUp)
    case "raw":
      return inProcess(role, workload, env, 50, awaitWarmUp)
    case "previous":
      if (env.previousRoot === undefined) return Promise.reject(new Error("--against names no git ref"))
      return overHttp(join(env.previousRoot, "src", "index.ts"), "/readyz", role, workload, env, awaitWarmUp)
  }
}
