import { Queue } from "bullmq"
import { deliverySuite } from "./support/deliverySuite.ts"
import { startRedis } from "./support/redis.ts"

deliverySuite("enqueue and deliver against a real Redis and receiver", async () => {
  const redis = await startRedis()
  return {
    env: { REDIS_URL: redis.url },
    queue: new Queue("webhooks", { connection: { port: redis.port, host: "127.0.0.1" }, prefix: "nexora" }),
    dispose: () => redis.dispose()
  }
})
