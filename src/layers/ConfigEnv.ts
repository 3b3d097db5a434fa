import { Config as C, ConfigError, ConfigProvider, Effect, Either, Layer, Option, Redacted } from "effect"
import { Config, type Settings } from "../services/Config.ts"

/** `Config.validate` that names the variable in its error: after a `map` or a default the path is lost. */
const validateNamed =
  <A>(name: string, message: string, validation: (value: A) => boolean) =>
  (self: C.Config<A>): C.Config<A> =>
    C.mapOrFail(self, (value) => (validation(value) ? Either.right(value) : Either.left(ConfigError.InvalidData([name], message))))

const httpUrl = (name: string) =>
  C.string(name).pipe(
    C.validate({ message: "must be an http:// or https:// URL", validation: (value) => parseHttpUrl(value) !== undefined })
  )

const parseHttpUrl = (value: string): URL | undefined => {
  const url = URL.canParse(value) ? new URL(value) : undefined
  return url && (url.protocol === "http:" || url.protocol === "https:") ? url : undefined
}

const positiveInt = (name: string, fallback: number, min = 1) =>
  C.integer(name).pipe(
    C.validate({ message: `must be an integer of at least ${min}`, validation: (n) => n >= min }),
    C.withDefault(fallback)
  )

// Validated as a string (so a failure names the variable), then kept Redacted from here on.
const secret = (name: string, minBytes: number) =>
  C.string(name).pipe(
    C.validate({
      message: minBytes > 1 ? `must be at least ${minBytes} bytes` : "must not be empty",
      validation: (value) => Buffer.byteLength(value, "utf8") >= minBytes
    }),
    C.map(Redacted.make)
  )

const origins = C.string("TARGET_URL_ALLOWLIST").pipe(
  C.map((raw) => raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0)),
  validateNamed(
    "TARGET_URL_ALLOWLIST",
    "must be `*` or comma-separated http(s) origins such as https://app.example.com",
    (list: Array<string>) => list.length > 0 && list.every((o) => o === "*" || parseHttpUrl(o)?.origin === o.replace(/\/$/, ""))
  ),
  C.map((list) => list.map((o) => (o === "*" ? o : new URL(o).origin))),
  C.option
)

const clusterNodes = C.string("REDIS_CLUSTER_NODES").pipe(
  C.map((raw) => raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0)),
  validateNamed(
    "REDIS_CLUSTER_NODES",
    "must be host:port,host:port,…",
    (list: Array<string>) => list.length > 0 && list.every((n) => /^[^:\s]+:\d{1,5}$/.test(n) || /^\[[^\]]+\]:\d{1,5}$/.test(n))
  ),
  C.map((list) =>
    list.map((n) => {
      const at = n.lastIndexOf(":")
      return { host: n.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(n.slice(at + 1)) }
    })
  ),
  C.option
)

const redisUrl = C.string("REDIS_URL").pipe(
  C.validate({
    message: "must be a redis:// or rediss:// URL",
    validation: (value) => /^rediss?:\/\//.test(value) && URL.canParse(value)
  }),
  C.map(Redacted.make),
  C.withDefault(Redacted.make("redis://127.0.0.1:6379"))
)

const admin = C.all({ user: C.string("ADMIN_USER"), pass: secret("ADMIN_PASS", 1) }).pipe(C.option)

/** Reads the environment (and `.env`, which Bun loads) into `Settings`. */
export const settingsFromEnv: C.Config<Settings> = C.all({
  port: positiveInt("PORT", 3000, 0).pipe(validateNamed("PORT", "must be a port number", (n) => n <= 65535)),
  host: C.string("HOST").pipe(C.withDefault("0.0.0.0")),
  redis: C.all({ url: redisUrl, clusterNodes }),
  internalAccessToken: secret("INTERNAL_ACCESS_TOKEN", 1),
  webhookSecret: secret("WEBHOOK_SECRET", 16),
  webhookSecretPrevious: secret("WEBHOOK_SECRET_PREVIOUS", 16).pipe(C.option),
  defaultTargetUrl: httpUrl("DEFAULT_TARGET_URL"),
  targetUrlAllowlist: origins,
  admin,
  queueName: C.string("QUEUE_NAME").pipe(
    C.validate({ message: "must be 1-100 characters without ':'", validation: (s) => /^[^:]{1,100}$/.test(s) }),
    C.withDefault("webhooks")
  ),
  queuePrefix: C.string("QUEUE_PREFIX").pipe(
    C.validate({ message: "must be 1-100 characters without ':'", validation: (s) => /^[^:]{1,100}$/.test(s) }),
    C.withDefault("nexora")
  ),
  role: C.literal("all", "api", "worker")("ROLE").pipe(C.withDefault("all" as const)),
  dispatchConcurrency: positiveInt("DISPATCH_CONCURRENCY", 50),
  dispatchTimeoutMs: positiveInt("DISPATCH_TIMEOUT_MS", 10_000),
  maxAttempts: positiveInt("MAX_ATTEMPTS", 10),
  backoffDelayMs: positiveInt("BACKOFF_DELAY_MS", 1_000),
  maxBodyBytes: positiveInt("MAX_BODY_BYTES", 1_048_576),
  maxActionsPerRequest: positiveInt("MAX_ACTIONS_PER_REQUEST", 1_000),
  keepCompleted: positiveInt("KEEP_COMPLETED", 1_000, 0),
  keepFailed: positiveInt("KEEP_FAILED", 10_000, 0),
  shutdownTimeoutMs: positiveInt("SHUTDOWN_TIMEOUT_MS", 25_000, 0),
  logLevel: C.literal("trace", "debug", "info", "warn", "error", "fatal", "none")("LOG_LEVEL").pipe(
    C.withDefault("info" as const)
  ),
  logFormat: C.literal("json", "pretty")("LOG_FORMAT").pipe(C.withDefault("json" as const))
}).pipe(
  C.map(({ targetUrlAllowlist, defaultTargetUrl, redis, ...rest }) => ({
    ...rest,
    redis,
    defaultTargetUrl,
    targetUrlAllowlist: Option.getOrElse(targetUrlAllowlist, () => [new URL(defaultTargetUrl).origin])
  }))
)

/** One line naming the first variable that is wrong, never its value. */
export const describeConfigError = (error: ConfigError.ConfigError): string => {
  switch (error._op) {
    case "And":
    case "Or":
      return describeConfigError(error.left)
    case "MissingData":
      return `${error.path.join(".")} is required`
    case "InvalidData":
      return `${error.path.join(".")} ${error.message.startsWith("must") ? error.message : "is invalid: " + error.message}`
    case "SourceUnavailable":
    case "Unsupported":
      return `${error.path.join(".")} could not be read: ${error.message}`
  }
}

/** The environment, with empty variables treated as unset (`FOO=` in a `.env` means "not given"). */
const environment = () =>
  ConfigProvider.fromMap(
    new Map(Object.entries(process.env).flatMap(([name, value]) => (value === undefined || value === "" ? [] : [[name, value]])))
  )

export const ConfigEnv = Layer.effect(Config, Effect.suspend(() => Effect.withConfigProvider(settingsFromEnv, environment())))
