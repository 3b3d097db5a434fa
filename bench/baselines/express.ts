/**
 * What a user would write instead of Nexora Queue: Express with its JSON body parser, `Queue.addBulk`, and a
 * `Worker` that signs each job (Standard Webhooks) and POSTs it with `fetch`, every BullMQ option left at
 * its default. Reads PORT, REDIS_URL, INTERNAL_ACCESS_TOKEN, WEBHOOK_SECRET, DEFAULT_TARGET_URL and ROLE
 * (`all`, or `api` for no worker).
 */
import { createHmac } from "node:crypto"
import { Queue, Worker } from "bullmq"
import express from "express"

interface Payload {
  readonly name: string
  readonly params: unknown
  readonly targetUrl: string
}

const redis = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379")
const connection = { host: redis.hostname, port: Number(redis.port || 6379) }
const token = process.env.INTERNAL_ACCESS_TOKEN ?? ""
const secret = process.env.WEBHOOK_SECRET ?? ""
const targetUrl = process.env.DEFAULT_TARGET_URL ?? ""

const queue = new Queue<Payload>("webhooks", { connection })

if (process.env.ROLE !== "api") {
  new Worker<Payload>(
    "webhooks",
    async (job) => {
      const body = JSON.stringify({ name: job.data.name, params: job.data.params })
      const id = job.id ?? ""
      const timestamp = String(Math.floor(Date.now() / 1000))
      const signature = createHmac("sha256", secret).update(`${id}.${timestamp}.${body}`).digest("base64")
      const response = await fetch(job.data.targetUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "webhook-id": id,
          "webhook-timestamp": timestamp,
          "webhook-signature": `v1,${signature}`
        },
        body
      })
      await response.arrayBuffer()
      if (!response.ok) throw new Error(`answered ${response.status}`)
    },
    { connection }
  )
}

const app = express()

app.get("/healthz", (_req, res) => {
  res.json({ status: "ok" })
})

app.post("/enqueue", express.json(), async (req, res) => {
  if (req.headers.authorization !== `Bearer ${token}`) {
    res.status(401).json({ error: "Unauthorized" })
    return
  }
  const actions: unknown = req.body?.actions
  if (!Array.isArray(actions) || actions.length === 0) {
    res.status(400).json({ error: "BadRequest" })
    return
  }
  const jobs = await queue.addBulk(
    actions.map((action: { name: string; params: unknown }) => ({
      name: action.name,
      data: { name: action.name, params: action.params, targetUrl }
    }))
  )
  res.status(202).json({ queued: jobs.length, jobIds: jobs.map((job) => job.id) })
})

app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1")

process.on("SIGTERM", () => process.exit(0))
