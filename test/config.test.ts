import { describe, expect, test } from "bun:test"
import { join } from "node:path"
import { TEST_SECRET, TEST_TOKEN } from "./support/server.ts"

const required = { INTERNAL_ACCESS_TOKEN: TEST_TOKEN, WEBHOOK_SECRET: TEST_SECRET, DEFAULT_TARGET_URL: "http://127.0.0.1:9/hook" }

/** Starts the server with only `env` and returns its exit code and everything it printed. */
const run = async (env: Record<string, string>) => {
  const proc = Bun.spawn(["bun", "run", "src/index.ts"], {
    cwd: join(import.meta.dir, ".."),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", REDIS_URL: "redis://127.0.0.1:1", PORT: "0", ...env },
    stdout: "pipe",
    stderr: "pipe"
  })
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { code, printed: (out + err).trim() }
}

describe("start-up and shutdown without Redis", () => {
  test("a port already taken: one line naming it, exit non-zero", async () => {
    const taken = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("taken") })
    try {
      const { code, printed } = await run({ ...required, PORT: String(taken.port), HOST: "127.0.0.1", LOG_LEVEL: "none" })
      expect(code).not.toBe(0)
      expect(printed).toBe(`nexora-queue: cannot listen on 127.0.0.1:${taken.port}: EADDRINUSE`)
    } finally {
      await taken.stop(true)
    }
  })

  test("SIGTERM while Redis has never been reachable: exits 0", async () => {
    const proc = Bun.spawn(["bun", "run", "src/index.ts"], {
      cwd: join(import.meta.dir, ".."),
      env: { PATH: process.env.PATH ?? "", ...required, REDIS_URL: "redis://127.0.0.1:1", PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "none", SHUTDOWN_TIMEOUT_MS: "1000" },
      stdout: "ignore",
      stderr: "ignore"
    })
    await Bun.sleep(1_500)
    proc.kill("SIGTERM")
    const exited = await Promise.race([proc.exited, Bun.sleep(20_000).then(() => "still running")])
    if (exited === "still running") proc.kill("SIGKILL")
    expect(exited).toBe(0)
  })
})

describe("configuration errors stop the process with one line naming the variable", () => {
  const cases: Array<[string, Record<string, string>, string]> = [
    ["missing token", { ...required, INTERNAL_ACCESS_TOKEN: "" }, "INTERNAL_ACCESS_TOKEN"],
    ["missing secret", { INTERNAL_ACCESS_TOKEN: TEST_TOKEN, DEFAULT_TARGET_URL: required.DEFAULT_TARGET_URL }, "WEBHOOK_SECRET"],
    ["short secret", { ...required, WEBHOOK_SECRET: "short-secret-15" }, "WEBHOOK_SECRET"],
    ["bad target", { ...required, DEFAULT_TARGET_URL: "ftp://x" }, "DEFAULT_TARGET_URL"],
    ["bad port", { ...required, PORT: "http" }, "PORT"],
    ["port out of range", { ...required, PORT: "99999" }, "PORT"],
    ["bad allowlist", { ...required, TARGET_URL_ALLOWLIST: "notanorigin" }, "TARGET_URL_ALLOWLIST"],
    ["bad cluster nodes", { ...required, REDIS_CLUSTER_NODES: "foo" }, "REDIS_CLUSTER_NODES"],
    ["bad role", { ...required, ROLE: "boss" }, "ROLE"],
    ["bad redis url", { ...required, REDIS_URL: "http://user:hunter2-password@x" }, "REDIS_URL"]
  ]
  for (const [label, env, variable] of cases) {
    test(label, async () => {
      const { code, printed } = await run(env)
      expect(code).not.toBe(0)
      expect(printed.split("\n")).toHaveLength(1)
      expect(printed).toContain(variable)
      for (const value of Object.values(env)) if (value.length > 8) expect(printed).not.toContain(value)
      expect(printed).not.toContain("hunter2")
    })
  }
})
