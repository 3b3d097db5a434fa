import ignore from "@balena/dockerignore"
import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Schema } from "effect"
import { parse } from "yaml"
import { healthcheckCommand, parseDockerfile, stepsOf } from "./support/dockerfile.ts"

const ROOT = join(import.meta.dir, "..")
const read = (file: string) => readFileSync(join(ROOT, file), "utf8")

/** Variables whose values are secrets (or may carry credentials): never set in an image. */
const SECRET_VARIABLES = ["INTERNAL_ACCESS_TOKEN", "WEBHOOK_SECRET", "WEBHOOK_SECRET_PREVIOUS", "ADMIN_USER", "ADMIN_PASS", "REDIS_URL"]
const SHUTDOWN_TIMEOUT_MS_DEFAULT = 25_000

const stages = parseDockerfile(read("Dockerfile"))
const final = stages.at(-1)
const dockerignore = ignore().add(read(".dockerignore"))

describe("Dockerfile", () => {
  test("is multi-stage on the official Bun image, pinned to an exact version", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2)
    for (const stage of stages) expect(stage.image).toMatch(/^oven\/bun:\d+\.\d+\.\d+(-[a-z]+)?$/)
  })

  test("installs exactly the locked production dependencies, and the final stage takes them from that install", () => {
    const installs = stages.flatMap((stage) =>
      stepsOf(stage, "RUN").filter((step) => /\bbun install\b/.test(step.content)).map((step) => ({ stage: stage.name, run: step.content }))
    )
    expect(installs.length).toBeGreaterThan(0)
    for (const install of installs) {
      expect(install.run).toContain("--frozen-lockfile")
      expect(install.run).toContain("--production")
    }
    const copiedModules = stepsOf(final, "COPY").filter((step) => step.args.some((arg) => arg.endsWith("node_modules")))
    expect(copiedModules.map((step) => step.flags["from"])).toEqual([installs[0]?.stage])
  })

  test("the final stage runs as a non-root user, set before it starts", () => {
    const user = stepsOf(final, "USER").at(-1)?.args[0] ?? "root"
    expect(["root", "0"]).not.toContain(user.split(":")[0] ?? "")
    const keywords = final?.steps.map((step) => step.keyword) ?? []
    expect(keywords.lastIndexOf("USER")).toBeLessThan(keywords.lastIndexOf("CMD"))
  })

  test("exposes the port it listens on", () => {
    const port = stepsOf(final, "ENV").reduce<string | undefined>((found, step) => step.properties["PORT"] ?? found, undefined)
    expect(port).toBe("3000")
    expect(stepsOf(final, "EXPOSE").flatMap((step) => step.args)).toContain(port ?? "")
  })

  test("has a HEALTHCHECK on /healthz that needs no curl", () => {
    const healthchecks = stepsOf(final, "HEALTHCHECK")
    expect(healthchecks.length).toBe(1)
    const [healthcheck] = healthchecks
    const command = healthcheck ? healthcheckCommand(healthcheck) : undefined
    expect(command?.slice(0, 2)).toEqual(["bun", "-e"])
    expect(command?.[2]).toContain("/healthz")
    expect(healthcheck?.content).not.toMatch(/\b(curl|wget)\b/)
    expect(Object.keys(healthcheck?.flags ?? {})).toEqual(expect.arrayContaining(["interval", "timeout", "retries"]))
  })

  test("starts the server in exec form, so that Bun itself is PID 1 and receives SIGTERM", () => {
    const cmd = stepsOf(final, "CMD").at(-1)
    expect(cmd?.exec).toEqual(["bun", "src/index.ts"])
    // No shell form anywhere in front of it, and no package script (which would run under a child process).
    expect(stepsOf(final, "ENTRYPOINT")).toEqual([])
    expect(stepsOf(final, "STOPSIGNAL").map((step) => step.args[0])).toEqual(["SIGTERM"])
  })

  test("sends no secret into the image", () => {
    for (const stage of stages) {
      for (const step of [...stepsOf(stage, "ENV"), ...stepsOf(stage, "ARG")]) {
        expect(Object.keys(step.properties).filter((name) => SECRET_VARIABLES.includes(name))).toEqual([])
      }
      for (const step of stepsOf(stage, "COPY").filter((copy) => copy.flags["from"] === undefined)) {
        for (const source of step.args.slice(0, -1)) {
          expect({ source, wholeContext: source === "." || source === "./" }).toEqual({ source, wholeContext: false })
          expect({ source, ignored: dockerignore.ignores(source) }).toEqual({ source, ignored: false })
          expect(source).not.toMatch(/(^|\/)\.env/)
        }
      }
    }
  })
})

describe(".dockerignore", () => {
  test("keeps secrets, tests, dependencies and version control out of the build context", () => {
    const excluded = [".env", ".env.local", ".env.production", "node_modules/effect/package.json", "test/api.test.ts",
      "test/support/redis.ts", "src/http/server.test.ts", ".git/HEAD", ".test-output/server.log", "docs/dashboard.png", "bench/run.ts"]
    const kept = ["package.json", "bun.lock", "tsconfig.json", "src/index.ts", "src/http/Api.ts"]
    expect(excluded.filter((path) => !dockerignore.ignores(path))).toEqual([])
    expect(kept.filter((path) => dockerignore.ignores(path))).toEqual([])
  })
})

const Healthcheck = Schema.Struct({ test: Schema.Array(Schema.String) })
const DependsOn = Schema.Record({ key: Schema.String, value: Schema.Struct({ condition: Schema.String }) })
const Service = Schema.Struct({
  image: Schema.optional(Schema.String),
  build: Schema.optional(Schema.String),
  command: Schema.optional(Schema.Array(Schema.String)),
  env_file: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String))),
  environment: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  ports: Schema.optional(Schema.Array(Schema.String)),
  volumes: Schema.optional(Schema.Array(Schema.String)),
  depends_on: Schema.optional(DependsOn),
  healthcheck: Schema.optional(Healthcheck),
  deploy: Schema.optional(Schema.Struct({ replicas: Schema.Number })),
  stop_grace_period: Schema.optional(Schema.String)
})
const Compose = Schema.Struct({
  services: Schema.Record({ key: Schema.String, value: Service }),
  volumes: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.NullOr(Schema.Unknown) }))
})

const composeText = read("docker-compose.yml")
const compose = Schema.decodeUnknownSync(Compose)(parse(composeText))
const { redis, server } = compose.services

const seconds = (duration: string | undefined) => {
  const match = /^(\d+)(ms|s|m)$/.exec(duration ?? "")
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60 }
  return match ? Number(match[1]) * (units[match[2] ?? "s"] ?? 1) : 0
}

/** The commented scaling example: its lines uncommented, as YAML under `services:`. */
const scalingExample = () => {
  const lines = composeText.split("\n")
  const start = lines.findIndex((line) => /^\s*#\s*api:\s*$/.test(line))
  const end = lines.findIndex((line, index) => index > start && !/^\s*#/.test(line) && line.trim() !== "")
  const body = lines.slice(start, end).map((line) => line.replace(/^(\s*)# ?/, "$1"))
  return Schema.decodeUnknownSync(Compose)(parse(`services:\n${body.join("\n")}`))
}

describe("docker-compose.yml", () => {
  test("runs Redis with AOF persistence on a named volume, with a health check", () => {
    expect(redis?.image).toMatch(/^redis:\d+\.\d+\.\d+(-[a-z]+)?$/)
    expect(redis?.command?.join(" ")).toContain("--appendonly yes")
    const [volume = ""] = redis?.volumes ?? []
    const [name = "", target] = volume.split(":")
    expect(target).toBe("/data")
    expect(Object.keys(compose.volumes ?? {})).toContain(name)
    expect(redis?.healthcheck?.test).toEqual(["CMD", "redis-cli", "ping"])
  })

  test("starts the server from this Dockerfile once Redis is healthy, configured from .env", () => {
    expect(server?.build).toBe(".")
    expect([server?.env_file].flat()).toContain(".env")
    expect(server?.depends_on).toEqual({ redis: { condition: "service_healthy" } })
    expect(server?.environment?.["REDIS_URL"]).toBe("redis://redis:6379")
    expect(server?.ports?.map((port) => port.split(":").at(-1))).toEqual([server?.environment?.["PORT"]])
    expect(server?.healthcheck?.test.join(" ")).toContain("/healthz")
    // Longer than the server's own drain, so deliveries in flight finish before a SIGKILL.
    expect(seconds(server?.stop_grace_period)).toBeGreaterThan(SHUTDOWN_TIMEOUT_MS_DEFAULT / 1000)
  })

  test("sets no secret itself: they come from .env", () => {
    // Its REDIS_URL names the stack's own Redis service and carries no credentials.
    const secrets = SECRET_VARIABLES.filter((name) => name !== "REDIS_URL")
    for (const [name, service] of Object.entries(compose.services)) {
      const set = Object.keys(service.environment ?? {}).filter((key) => secrets.includes(key))
      expect({ name, set }).toEqual({ name, set: [] })
    }
  })

  test("shows, commented, ROLE=api and ROLE=worker as separate services with replicas", () => {
    const example = scalingExample().services
    expect(example["api"]?.environment?.["ROLE"]).toBe("api")
    expect(example["worker"]?.environment?.["ROLE"]).toBe("worker")
    for (const role of ["api", "worker"]) {
      const service = example[role]
      expect({ role, replicas: (service?.deploy?.replicas ?? 0) > 1 }).toEqual({ role, replicas: true })
      expect(service?.depends_on).toEqual({ redis: { condition: "service_healthy" } })
      expect(service?.environment?.["REDIS_URL"]).toBe("redis://redis:6379")
      expect([service?.env_file].flat()).toContain(".env")
    }
  })
})
