/**
 * `bun run demo`: the whole job on a realistic burst. A Redis (REDIS_URL, or a private redis-server), the server,
 * a sample receiver on the receiver kit, 2,000 actions from 25 shops, progress, and a summary. Leaves nothing
 * running; in a Redis you named, it works under a prefix of its own and removes its keys at the end.
 * `--keep` keeps the server and its dashboard up after the summary, until Ctrl-C.
 */
import { randomBytes } from "node:crypto"
import { startSampleReceiver, type SampleReceiver } from "../examples/receiver/server.ts"
import { DATA_FILE, loadDemoData } from "./demo/data.ts"
import { n, seconds, summary, unaccounted } from "./demo/report.ts"
import { enqueue } from "./lib/enqueue.ts"
import { type NexoraServer, type PrivateRedis, sleep, startNexora, startPrivateRedis } from "./lib/processes.ts"
import { probeQueue, type QueueProbe } from "./lib/queueKeys.ts"

const UNAVAILABLE_RATE = 0.03
const SEND_CONCURRENCY = 4
const DEADLINE_MS = 180_000
const keepOpen = process.argv.includes("--keep")
const interactive = process.stdout.isTTY === true
const log = (line: string) => console.log(line)

const data = loadDemoData()
const userRedis = process.env.REDIS_URL
if (!userRedis && Bun.which("redis-server") === null) {
  console.error("demo: needs a Redis: set REDIS_URL=redis://host:port, or install redis-server (apt-get install redis-server, brew install redis)")
  process.exit(1)
}

const run = randomBytes(4).toString("hex")
const secret = randomBytes(32).toString("hex")
const token = randomBytes(24).toString("hex")
const admin = { user: "demo", pass: randomBytes(6).toString("hex") }
const queueName = "demo"
const prefix = `nexora-demo-${run}`

let redis: PrivateRedis | undefined
let receiver: SampleReceiver | undefined
let server: NexoraServer | undefined
let probe: QueueProbe | undefined
let cleaning: Promise<void> | undefined
/** Set once the summary says every action is accounted for: Ctrl-C after that (with --keep) is a normal end. */
let succeeded = false

/** Stops what this run started, in reverse order; removes its keys from a Redis the user named. */
const cleanUp = () =>
  (cleaning ??= (async () => {
    await server?.stop()
    await receiver?.stop()
    if (probe !== undefined) {
      const removed = userRedis ? await probe.removeKeysAndClose().catch(() => -1) : await probe.close().then(() => 0)
      if (userRedis) log(removed >= 0 ? `removed this run's ${n(removed)} keys (${prefix}:*) from REDIS_URL` : `could not remove ${prefix}:* from REDIS_URL`)
    }
    await redis?.stop()
  })())

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    log(`\n${signal}: stopping…`)
    void cleanUp().then(() => process.exit(succeeded ? 0 : 130))
  })
}

const enqueueAll = async (target: NexoraServer) => {
  const enqueuedAt = new Map<string, number>()
  const pending = [...data.requests]
  const send = async () => {
    for (let request = pending.shift(); request !== undefined; request = pending.shift()) {
      const sentAt = performance.now()
      const jobIds = await enqueue(target.url, token, request.actions)
      for (const id of jobIds) enqueuedAt.set(id, sentAt)
    }
  }
  await Promise.all(Array.from({ length: SEND_CONCURRENCY }, send))
  return enqueuedAt
}

const main = async (): Promise<number> => {
  const started = performance.now()
  log(`Nexora Queue demo: ${n(data.expect.actions)} actions from ${data.expect.tenants} shops after a day offline (${DATA_FILE.replace(`${process.cwd()}/`, "")})`)
  if (!userRedis) redis = await startPrivateRedis()
  const redisUrl = userRedis ?? redis?.url ?? ""
  log(userRedis ? `  redis       REDIS_URL, keys under ${prefix}:* (removed at the end)` : `  redis       a private redis-server at ${redisUrl}`)
  receiver = startSampleReceiver({ secrets: secret, unavailableRate: UNAVAILABLE_RATE })
  log(`  receiver    ${receiver.url}: verifies every signature, answers 503 to ${UNAVAILABLE_RATE * 100}% at random, 422 to poison actions`)
  server = await startNexora({
    REDIS_URL: redisUrl,
    INTERNAL_ACCESS_TOKEN: token,
    WEBHOOK_SECRET: secret,
    DEFAULT_TARGET_URL: receiver.url,
    ADMIN_USER: admin.user,
    ADMIN_PASS: admin.pass,
    QUEUE_NAME: queueName,
    QUEUE_PREFIX: prefix,
    // Short backoff so the receiver's 503s are retried within the demo's seconds.
    BACKOFF_DELAY_MS: "100",
    KEEP_COMPLETED: String(data.expect.actions * 2),
    KEEP_FAILED: String(data.expect.actions * 2),
    SHUTDOWN_TIMEOUT_MS: "5000",
    LOG_LEVEL: "warn",
    LOG_FORMAT: "pretty"
  })
  const dashboard = `${server.url}/admin/queues (user ${admin.user}, password ${admin.pass})`
  log(`  server      ${server.url}, dashboard ${dashboard}`)
  probe = probeQueue(redisUrl, queueName, prefix)

  const enqueueStarted = performance.now()
  const enqueuedAt = await enqueueAll(server)
  const enqueueMs = performance.now() - enqueueStarted
  log(`  enqueued    ${n(enqueuedAt.size)} actions in ${data.requests.length} requests of 1 to ${Math.max(...data.requests.map((r) => r.actions.length))} actions, ${seconds(enqueueMs)}`)

  const stats = receiver.stats
  let counts = await probe.counts()
  let lastPrinted = 0
  while (counts.settled < enqueuedAt.size || counts.pending > 0) {
    if (performance.now() - started > DEADLINE_MS) break
    const now = performance.now()
    if (now - lastPrinted >= (interactive ? 200 : 1_000)) {
      lastPrinted = now
      const line = `  progress    ${seconds(now - started).padStart(6)}  delivered ${n(counts.completed).padStart(5)}/${n(enqueuedAt.size)} · failed ${counts.failed} · 503s answered ${[...stats.unavailable.values()].reduce((a, b) => a + b, 0)} · waiting ${counts.pending}`
      if (interactive) process.stdout.write(`\r\x1b[2K${line}`)
      else log(line)
    }
    await sleep(100)
    counts = await probe.counts()
  }
  if (interactive) process.stdout.write("\n")

  const facts = {
    total: enqueuedAt.size,
    tenants: data.expect.tenants,
    requests: data.requests.length,
    enqueueMs,
    tookMs: performance.now() - started,
    completed: counts.completed,
    failed: await probe.failed(),
    stats,
    enqueuedAt,
    dashboard: keepOpen ? dashboard : `${dashboard}; it stops with the demo (\`bun run demo --keep\` keeps it up)`
  }
  log(summary(facts))
  const problems = unaccounted(facts, data.expect.poison)
  if (problems.length > 0) {
    log(`\nNOT every action is accounted for:\n${problems.map((p) => `  - ${p}`).join("\n")}`)
    return 1
  }
  log(`\nEvery action accounted for: ${n(facts.completed)} delivered + ${n(facts.failed.length)} refused as poison (422) = ${n(facts.total)}.`)
  succeeded = true
  if (keepOpen) {
    log(`The server and dashboard stay up at ${server.url}/admin/queues; Ctrl-C stops everything.`)
    await new Promise(() => undefined)
  }
  return 0
}

const exitCode = await main().catch((error: unknown) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`)
  if (server !== undefined) console.error(server.output().slice(-2_000))
  return 1
})
await cleanUp()
process.exit(exitCode)
