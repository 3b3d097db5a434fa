import { Queue } from "bullmq"
import type { TestRedis } from "./redis.ts"

/** The server's queue (default `QUEUE_NAME` and `QUEUE_PREFIX`) on a test Redis, to look at jobs directly. */
export const openQueue = (redis: TestRedis) =>
  new Queue("webhooks", { connection: { host: "127.0.0.1", port: redis.port }, prefix: "nexora" })
