/**
 * End to end with a real Next.js receiver: installs examples/nextjs (`npm ci`), builds it (`next build`), starts it
 * (`next start`) on a free port, points a Nexora server on a private Redis at it, sends a burst, and checks that
 * every action was verified and processed exactly once (poison ones refused with 422). Run by `.ci/run` after
 * `bun run test`; `bun run e2e:nextjs` by hand. Exits non-zero on any failed check; stops all it started.
 */
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import type { Subprocess } from "bun"
import { parseAction } from "../examples/nextjs/lib/actions.ts"
import { loadDemoData } from "./demo/data.ts"
import { enqueue } from "./lib/enqueue.ts"
import { freePort, type NexoraServer, type PrivateRedis, REPO_ROOT, startNexora, startPrivateRedis, stopProcess, waitFor } from "./lib/processes.ts"
import { probeQueue, type QueueProbe } from "./lib/queueKeys.ts"

const APP_DIR = join(REPO_ROOT, "examples", "nextjs")
const BURST_ACTIONS = 400
/** Actions the app takes longer over than the server waits (DISPATCH_TIMEOUT_MS): each is delivered again. */
const SLOW_ACTIONS = 4
const STEP_TIMEOUT_MS = 300_000
const SETTLE_TIMEOUT_MS = 120_000

const appEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NEXT_TELEMETRY_DISABLED: "1" }

/** Runs a command in the app's folder, bounded in time; its output is shown only if it fails. */
const runInApp = async (command: Array<string>) => {
  const started = performance.now()
  const proc = Bun.spawn(command, { cwd: APP_DIR, env: appEnv, stdout: "pipe", stderr: "pipe" })
  const timer = setTimeout(() => proc.kill("SIGKILL"), STEP_TIMEOUT_MS)
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  clearTimeout(timer)
  if (code !== 0) throw new Error(`${command.join(" ")} exited with ${code}:\n${out.slice(-3_000)}\n${err.slice(-3_000)}`)
  console.log(`e2e: ${command.join(" ")} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
}

interface Ledger {
  readonly verified: number
  readonly refused: { readonly signature: number; readonly invalid: number }
  readonly processed: ReadonlyArray<{ readonly id: string; readonly times: number }>
}

const isLedger = (value: unknown): value is Ledger =>
  typeof value === "object" && value !== null && "processed" in value && Array.isArray(value.processed) && "verified" in value && "refused" in value

const isPoison = (action: unknown) => !parseAction(JSON.stringify(action)).ok

/** The first requests of the demo's data up to about BURST_ACTIONS actions, its other poison actions, a few slow orders. */
const burst = () => {
  const requests: Array<Array<{ name: string; params: unknown }>> = []
  const laterPoison: Array<{ name: string; params: unknown }> = []
  let count = 0
  for (const request of loadDemoData().requests) {
    if (count < BURST_ACTIONS) requests.push([...request.actions])
    else laterPoison.push(...request.actions.filter(isPoison))
    count += request.actions.length
  }
  requests.push(laterPoison)
  requests.push(
    Array.from({ length: SLOW_ACTIONS }, (_, i) => ({
      name: "CREATE_ORDER",
      params: { tenantId: "t_slow", orderId: `slow-${i}`, lines: [{ sku: "SKU-ESP", qty: 1, unitPrice: 2.5 }], simulateLatencyMs: 1_500 }
    }))
  )
  return requests
}

const checks: Array<{ what: string; ok: boolean; detail: string }> = []
const check = (what: string, ok: boolean, detail = "") => {
  checks.push({ what, ok, detail })
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? `: ${detail}` : ""}`)
}

let redis: PrivateRedis | undefined
let app: Subprocess | undefined
let server: NexoraServer | undefined
let probe: QueueProbe | undefined

const main = async () => {
  await runInApp(["npm", "ci", "--no-audit", "--no-fund"])
  await runInApp(["npm", "run", "build"])

  const secret = randomBytes(32).toString("hex")
  const token = randomBytes(24).toString("hex")
  const appPort = await freePort()
  const appUrl = `http://127.0.0.1:${appPort}`
  const nextBin = join(APP_DIR, "node_modules", ".bin", "next")
  app = Bun.spawn([nextBin, "start", "-p", String(appPort), "-H", "127.0.0.1"], {
    cwd: APP_DIR,
    env: { ...appEnv, NODE_ENV: "production", WEBHOOK_SECRET: secret },
    stdout: "ignore",
    stderr: "inherit"
  })
  const started = app
  await waitFor("next start to answer", async () => {
    if (started.exitCode !== null) throw new Error(`next start exited with ${started.exitCode}`)
    return fetch(`${appUrl}/api/processed`).then((r) => r.ok, () => false)
  }, 60_000)
  console.log(`e2e: next start on ${appUrl}`)

  redis = await startPrivateRedis()
  const queueName = "e2e"
  const prefix = `nexora-e2e-${randomBytes(4).toString("hex")}`
  server = await startNexora({
    REDIS_URL: redis.url,
    INTERNAL_ACCESS_TOKEN: token,
    WEBHOOK_SECRET: secret,
    DEFAULT_TARGET_URL: `${appUrl}/api/process-queue`,
    QUEUE_NAME: queueName,
    QUEUE_PREFIX: prefix,
    BACKOFF_DELAY_MS: "200",
    DISPATCH_TIMEOUT_MS: "1000",
    KEEP_COMPLETED: "10000",
    SHUTDOWN_TIMEOUT_MS: "5000",
    LOG_LEVEL: "warn"
  })
  probe = probeQueue(redis.url, queueName, prefix)

  const requests = burst()
  const expected = new Map<string, boolean>() // job id → is it a poison action
  for (const actions of requests) {
    const jobIds = await enqueue(server.url, token, actions)
    jobIds.forEach((id, i) => expected.set(id, isPoison(actions[i])))
  }
  const poison = [...expected].filter(([, poisoned]) => poisoned).map(([id]) => id)
  const slow = [...expected.keys()].slice(-SLOW_ACTIONS)
  console.log(`e2e: enqueued ${expected.size} actions in ${requests.length} requests (${poison.length} poison, ${SLOW_ACTIONS} slow)`)

  const forged = await fetch(`${appUrl}/api/process-queue`, {
    method: "POST",
    headers: { "content-type": "application/json", "webhook-id": "forged", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": `v1,${Buffer.alloc(32).toString("base64")}` },
    body: JSON.stringify({ name: "RECORD_PAYMENT", params: { tenantId: "t_001", amount: 1_000_000 } })
  })
  check("a forged webhook is refused with 401", forged.status === 401, `answered ${forged.status}`)

  const queue = probe
  await waitFor("every job to be delivered or failed", async () => {
    const counts = await queue.counts()
    return counts.settled === expected.size && counts.pending === 0
  }, SETTLE_TIMEOUT_MS, 200)

  const ledgerAnswer: unknown = await fetch(`${appUrl}/api/processed`).then((r) => r.json())
  if (!isLedger(ledgerAnswer)) throw new Error(`GET /api/processed answered ${JSON.stringify(ledgerAnswer).slice(0, 200)}`)
  const ledger = ledgerAnswer
  const processed = new Map(ledger.processed.map((entry) => [entry.id, entry.times]))
  const good = [...expected].filter(([, poisoned]) => !poisoned).map(([id]) => id)
  const failed = await probe.failed()

  check("every valid action was processed", good.every((id) => processed.has(id)), `${good.filter((id) => processed.has(id)).length} of ${good.length}`)
  check("each exactly once", [...processed.values()].every((times) => times === 1), `${[...processed.values()].filter((t) => t !== 1).length} applied more than once`)
  check("nothing else was processed", processed.size === good.length, `${processed.size} processed`)
  check(
    "every delivery was verified; only the forged one was refused",
    ledger.verified >= expected.size && ledger.refused.signature === 1,
    `${ledger.verified} verified, ${ledger.refused.signature} refused`
  )
  check(
    "the poison actions, and only they, failed with the app's 422",
    failed.length === poison.length && failed.every((job) => poison.includes(job.id) && job.reason.startsWith("HTTP 422")),
    failed.map((job) => job.reason).join("; ")
  )
  check("there was poison in the burst", poison.length > 0, `${poison.length}`)
  check(
    "the slow actions were delivered again after the server's timeout, yet applied once",
    ledger.verified >= expected.size + SLOW_ACTIONS && slow.every((id) => processed.get(id) === 1),
    `${ledger.verified - expected.size} deliveries beyond one per action`
  )
}

let exitCode = 1
try {
  await main()
  exitCode = checks.every((c) => c.ok) ? 0 : 1
} catch (error) {
  console.error(`e2e: ${error instanceof Error ? error.message : String(error)}`)
  if (server !== undefined) console.error(server.output().slice(-2_000))
} finally {
  await server?.stop()
  if (app !== undefined) await stopProcess(app, 10_000)
  await probe?.close()
  await redis?.stop()
}
const failedChecks = checks.filter((c) => !c.ok).length + (exitCode !== 0 && checks.every((c) => c.ok) ? 1 : 0)
console.log(`e2e-nextjs: ${checks.length - checks.filter((c) => !c.ok).length} passed, ${failedChecks} failed`)
process.exit(exitCode)
