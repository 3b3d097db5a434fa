import { Effect, Layer, Logger, LogLevel } from "effect"
import { HttpServerLive } from "./http/server.ts"
import { BullQueueLive } from "./layers/BullQueue.ts"
import { DispatcherFetch } from "./layers/DispatcherFetch.ts"
import { HostResolverDns } from "./layers/HostResolverDns.ts"
import { MetricsPrometheus } from "./layers/MetricsPrometheus.ts"
import { QueueRedis } from "./layers/QueueRedis.ts"
import { SignerHmac } from "./layers/SignerHmac.ts"
import { TargetPolicyAllowlist } from "./layers/TargetPolicyAllowlist.ts"
import { WorkerBullMQ } from "./layers/WorkerBullMQ.ts"
import { Config, type Settings } from "./services/Config.ts"
import { Lifecycle } from "./services/Lifecycle.ts"

const levels: Record<Settings["logLevel"], LogLevel.LogLevel> = {
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  error: LogLevel.Error,
  fatal: LogLevel.Fatal,
  none: LogLevel.None
}

/** JSON lines by default, `LOG_FORMAT=pretty` for humans. */
export const LoggerLive = Layer.unwrapEffect(
  Effect.map(Config, ({ logFormat, logLevel }) =>
    Layer.merge(logFormat === "json" ? Logger.json : Logger.pretty, Logger.minimumLogLevel(levels[logLevel]))
  )
)

/** Counters of this process; the queue gauges are read through the same Redis queue. */
const MetricsLive = MetricsPrometheus.pipe(Layer.provide(QueueRedis))

/** Asked when a request names a target and again at each delivery. */
const TargetPolicyLive = TargetPolicyAllowlist.pipe(Layer.provide(HostResolverDns))

const DeliveryLive = WorkerBullMQ.pipe(Layer.provide([SignerHmac, DispatcherFetch.pipe(Layer.provide(TargetPolicyLive))]))

/**
 * The whole process for its `ROLE`: the HTTP edge (API and dashboard), the delivery worker, or both.
 * A worker is built before the HTTP edge, whose finalizer then runs first: readiness off, deliveries
 * drained, listener closed (see `HttpServerLive`).
 */
export const AppLive = Layer.unwrapEffect(
  Effect.map(Config, ({ role }) => {
    const http = HttpServerLive.pipe(Layer.provide([QueueRedis, TargetPolicyLive]))
    return role === "api" ? http : http.pipe(Layer.provideMerge(DeliveryLive))
  })
).pipe(Layer.provide(MetricsLive), Layer.provide(BullQueueLive), Layer.provide(Lifecycle.Live))
