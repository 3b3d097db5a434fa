import { Effect, Option, Redacted, type Scope } from "effect"
import { Cluster, Redis, type RedisOptions } from "ioredis"
import type { RedisTarget } from "../services/Config.ts"

export type RedisClient = Redis | Cluster

export interface ClientOptions {
  /**
   * `false` for the connection that serves `/enqueue`: while Redis is away a command fails at once
   * instead of waiting in a buffer and running, unasked, after the client has been told 503.
   */
  readonly offlineQueue: boolean
  /** BullMQ's workers need `null` here (they block and retry by themselves). */
  readonly maxRetriesPerRequest: number | null
  readonly name: string
}

const RECONNECT_CAP_MS = 2_000

const baseOptions = (options: ClientOptions): RedisOptions => ({
  enableOfflineQueue: options.offlineQueue,
  maxRetriesPerRequest: options.maxRetriesPerRequest,
  connectionName: options.name,
  // Reconnect forever with a short cap, so the service comes back soon after Redis does.
  retryStrategy: (times) => Math.min(times * 100, RECONNECT_CAP_MS),
  lazyConnect: false
})

export const makeRedisClient = (target: RedisTarget, options: ClientOptions): RedisClient =>
  Option.match(target.clusterNodes, {
    onNone: () => new Redis(Redacted.value(target.url), baseOptions(options)),
    onSome: (nodes) =>
      new Cluster([...nodes], {
        enableOfflineQueue: options.offlineQueue,
        clusterRetryStrategy: (times) => Math.min(times * 100, RECONNECT_CAP_MS),
        redisOptions: { ...baseOptions(options), ...credentialsOf(target) }
      })
  })

/** A cluster takes its password (and TLS) from `REDIS_URL` when one is given. */
const credentialsOf = (target: RedisTarget): RedisOptions => {
  const url = new URL(Redacted.value(target.url))
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === "rediss:" ? { tls: {} } : {})
  }
}

/** A client that is closed when its scope ends; a client that never connected is torn down too. */
export const acquireRedisClient = (
  target: RedisTarget,
  options: ClientOptions
): Effect.Effect<RedisClient, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const client = makeRedisClient(target, options)
      // Errors surface through commands and readiness; without a listener ioredis would print them raw.
      client.on("error", () => undefined)
      return client
    }),
    (client) =>
      closeWithin(() => (client.status === "ready" ? client.quit() : Promise.resolve(client.disconnect()))).pipe(
        Effect.ensuring(Effect.sync(() => client.disconnect()))
      )
  )

/**
 * Runs a close step but gives up after two seconds: with Redis unreachable, BullMQ and ioredis can wait for a
 * connection forever, and a stopping process must exit all the same. (Interruptible, though finalizers are not.)
 */
export const closeWithin = (close: () => Promise<unknown>) =>
  Effect.promise(() => close().catch(() => undefined)).pipe(Effect.interruptible, Effect.timeout("2 seconds"), Effect.ignore)

/** Keys must share one hash slot on a cluster, so the prefix carries a `{hash tag}` there. */
export const queuePrefixFor = (target: RedisTarget, prefix: string): string =>
  Option.isSome(target.clusterNodes) && !/\{.+\}/.test(prefix) ? `{${prefix}}` : prefix
