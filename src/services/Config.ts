import { Context, type Option, type Redacted } from "effect"

export type Role = "all" | "api" | "worker"
export type LogFormat = "json" | "pretty"
export type LogLevelName = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "none"

export interface RedisTarget {
  /** `redis://` or `rediss://` URL; credentials make it secret. */
  readonly url: Redacted.Redacted<string>
  /** Set when `REDIS_CLUSTER_NODES` is: the seed nodes of a Redis Cluster. */
  readonly clusterNodes: Option.Option<ReadonlyArray<{ readonly host: string; readonly port: number }>>
}

export interface Settings {
  readonly port: number
  readonly host: string
  readonly redis: RedisTarget
  readonly internalAccessToken: Redacted.Redacted<string>
  readonly webhookSecret: Redacted.Redacted<string>
  readonly webhookSecretPrevious: Option.Option<Redacted.Redacted<string>>
  readonly defaultTargetUrl: string
  /** Origins (`https://host:port`) a request's `targetUrl` may use; `"*"` means any public one. */
  readonly targetUrlAllowlist: ReadonlyArray<string>
  readonly admin: Option.Option<{ readonly user: string; readonly pass: Redacted.Redacted<string> }>
  readonly queueName: string
  readonly queuePrefix: string
  readonly role: Role
  readonly dispatchConcurrency: number
  readonly dispatchTimeoutMs: number
  readonly maxAttempts: number
  readonly backoffDelayMs: number
  readonly maxBodyBytes: number
  readonly maxActionsPerRequest: number
  readonly keepCompleted: number
  readonly keepFailed: number
  readonly shutdownTimeoutMs: number
  readonly logLevel: LogLevelName
  readonly logFormat: LogFormat
}

/** Every setting of the process, read once at start. */
export class Config extends Context.Tag("nexora/Config")<Config, Settings>() {}
