/**
 * The ceiling for this stack: BullMQ in one process, with no HTTP in front and no Effect. `Queue.addBulk`
 * takes the load directly and a `Worker` POSTs each job with `fetch`. Jobs carry what Nexora Queue's do
 * and use its queue options and concurrency, so the gap to it is the cost of the HTTP edge and the product.
 *
 * `bun bench/baselines/raw.ts '<json Workload>'` with REDIS_URL, TARGET_URL, CONCURRENCY and ROLE
 * (`all`, or `api` for no worker); prints `{"ready":true}`, runs the workload, prints its `WorkloadResult`,
 * then keeps delivering until killed.
 */
// The ceiling gets Nexora Queue's fix for ioredis on Bun too (see the file).
import "../../src/runtime/tracingChannel.ts"
import { Queue, Worker } from "bullmq"
import { Redis } from "ioredis"
import { awaitGo, runWorkload, sampleAction, type Submit, type Workload } from "../workloads.ts"

interface Payload {
  readonly name: string
  readonly params: unknown
  readonly targetUrl: string
  readonly enqueuedAt: number
}

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
const targetUrl = process.env.TARGET_URL ?? "http://127.0.0.1:8080/hook"
const concurrency = Number(process.env.CONCURRENCY ?? 50)
const workload: Workload = JSON.parse(process.argv[2] ?? "{}")

const queueOptions = {
  prefix: "nexora",
  streams: { events: { maxLen: 1_000 } },
  defaultJobOptions: {
    attempts: 10,
    backoff: { type: "exponential", delay: 1_000 },
    removeOnComplete: { count: 1_000 },
    removeOnFail: { count: 10_000 }
  }
}

const queue = new Queue<Payload>("webhooks", { connection: new Redis(redisUrl, { maxRetriesPerRequest: 1 }), ...queueOptions })

if (process.env.ROLE !== "api") {
  const worker = new Worker<Payload>(
    "webhooks",
    async (job) => {
      const response = await fetch(job.data.targetUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "webhook-id": job.id ?? "" },
        body: JSON.stringify({ name: job.data.name, params: job.data.params })
      })
      await response.arrayBuffer()
      if (!response.ok) throw new Error(`answered ${response.status}`)
    },
    { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix: "nexora", concurrency }
  )
  await worker.waitUntilReady()
}

const submit: Submit = async (count) => {
  const enqueuedAt = Date.now()
  const jobs = await queue.addBulk(
    Array.from({ length: count }, () => ({
      name: sampleAction.name,
      data: { ...sampleAction, targetUrl, enqueuedAt },
      opts: { jobId: Bun.randomUUIDv7() }
    }))
  )
  return jobs.map((job) => job.id ?? "")
}

await queue.waitUntilReady()
// The bench reads this process's CPU time from here on.
console.log(JSON.stringify({ ready: true }))
console.log(JSON.stringify(await runWorkload(submit, workload, awaitGo)))

process.on("SIGTERM", () => process.exit(0))
