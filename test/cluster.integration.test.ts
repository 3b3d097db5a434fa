import { expect, test } from "bun:test"
import { Queue } from "bullmq"
import { Cluster, Redis } from "ioredis"
import { startCluster, type TestCluster } from "./support/cluster.ts"
import { deliverySuite } from "./support/deliverySuite.ts"

let cluster: TestCluster

deliverySuite("the core delivery suite on a 3-master Redis Cluster", async () => {
  cluster = await startCluster()
  // BullMQ does not close a connection it was given: this one is ended here, before the nodes go away.
  const connection = new Cluster([...cluster.nodes])
  return {
    env: { REDIS_CLUSTER_NODES: cluster.seeds },
    // On a cluster the prefix carries a hash tag, so that every key of the queue lives in one slot.
    queue: new Queue("webhooks", { connection, prefix: "{nexora}" }),
    dispose: async () => {
      connection.disconnect()
      await cluster.dispose()
    }
  }
})

test("every key the product wrote carries the {nexora} hash tag and lives on one node", async () => {
  const keysPerNode = await Promise.all(
    cluster.nodes.map(async ({ host, port }) => {
      const node = new Redis({ host, port })
      const keys = await node.keys("*")
      node.disconnect()
      return keys
    })
  )
  const all = keysPerNode.flat()
  expect(all.length).toBeGreaterThan(0)
  for (const key of all) expect(key).toStartWith("{nexora}:webhooks:")
  expect(all.some((key) => key.startsWith("{nexora}:webhooks:idempotency:"))).toBe(true)
  expect(keysPerNode.filter((keys) => keys.length > 0)).toHaveLength(1)
})
