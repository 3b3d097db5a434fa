import { describe, expect, test } from "bun:test"
import { join } from "node:path"
import { TEST_TOKEN } from "./support/server.ts"

/** Starts the server as a user would, with only `env`, and returns how it ended and what it printed. */
const start = async (env: Record<string, string>) => {
  const proc = Bun.spawn(["bun", "run", "src/index.ts"], {
    cwd: join(import.meta.dir, ".."),
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      PORT: "0",
      REDIS_URL: "redis://127.0.0.1:1",
      INTERNAL_ACCESS_TOKEN: TEST_TOKEN,
      DEFAULT_TARGET_URL: "https://app.example.com/api/process-queue",
      ...env
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe"
  })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { code, printed: `${stdout}${stderr}` }
}

describe("a WEBHOOK_SECRET too short to be a key is refused at start", () => {
  test.each([
    ["WEBHOOK_SECRET", { WEBHOOK_SECRET: "fifteen-bytes!!" }, "fifteen-bytes!!"],
    ["WEBHOOK_SECRET", { WEBHOOK_SECRET: "ééééééé" }, "ééééééé"], // 7 characters, 14 bytes
    ["WEBHOOK_SECRET_PREVIOUS", { WEBHOOK_SECRET: "a-long-enough-secret-value", WEBHOOK_SECRET_PREVIOUS: "old-short" }, "old-short"]
  ])("%s: exits non-zero with one line naming the variable, not its value", async (name, env, value) => {
    const { code, printed } = await start(env)
    expect(code).not.toBe(0)
    expect(printed.trimEnd().split("\n")).toEqual([`nexora-queue: configuration: ${name} must be at least 16 bytes`])
    expect(printed).not.toContain(value)
  })

  test("a missing one names the variable too", async () => {
    const { code, printed } = await start({})
    expect(code).not.toBe(0)
    expect(printed.trimEnd().split("\n")).toEqual(["nexora-queue: configuration: WEBHOOK_SECRET is required"])
  })
})
