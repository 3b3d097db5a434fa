import { Queue } from "bullmq"
import { Redis } from "ioredis"

export interface QueueProbe {
  /** Jobs by state in this run's queue. */
  counts(): Promise<{ settled: number; completed: number; failed: number; pending: number }>
  /** Every failed job: its id and the reason the server kept. */
  failed(): Promise<Array<{ id: string; reason: string }>>
  /** Removes every key under this run's prefix, then disconnects. */
  removeKeysAndClose(): Promise<number>
  close(): Promise<void>
}

/** Reads this run's queue straight from Redis, and removes its keys at the end. */
export const probeQueue = (redisUrl: string, queueName: string, prefix: string): QueueProbe => {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: false })
  const queue = new Queue(queueName, { connection, prefix })
  queue.on("error", () => undefined)
  const close = async () => {
    await queue.close().catch(() => undefined)
    connection.disconnect()
  }
  return {
    counts: async () => {
      const c = await queue.getJobCounts("completed", "failed", "waiting", "active", "delayed", "prioritized", "waiting-children")
      const completed = c.completed ?? 0
      const failed = c.failed ?? 0
      const pending = (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) + (c["waiting-children"] ?? 0)
      return { settled: completed + failed, completed, failed, pending }
    },
    failed: async () =>
      (await queue.getFailed(0, -1)).map((job) => ({ id: job.id ?? "", reason: job.failedReason ?? "" })),
    removeKeysAndClose: async () => {
      let removed = 0
      let cursor = "0"
      do {
        const [next, keys] = await connection.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000)
        cursor = next
        if (keys.length > 0) removed += await connection.unlink(...keys)
      } while (cursor !== "0")
      await close()
      return removed
    },
    close
  }
}
