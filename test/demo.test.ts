import { expect, test } from "bun:test"
import { connect } from "node:net"
import { join } from "node:path"

const ROOT = join(import.meta.dir, "..")

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" })
    socket.once("connect", () => {
      socket.end()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })

const count = (output: string, label: string) => Number(new RegExp(`^  ${label}\\s+([\\d,]+)`, "m").exec(output)?.[1]?.replace(/,/g, "") ?? Number.NaN)

test(
  "bun run demo, on its own private redis-server, delivers every action or fails it with the receiver's 422, then leaves nothing running",
  async () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" }
    // As `bun run demo` runs it, minus any developer's .env: no REDIS_URL, so the demo starts its own Redis.
    const proc = Bun.spawn(["bun", "--no-env-file", "scripts/demo.ts"], { cwd: ROOT, env, stdout: "pipe", stderr: "pipe" })
    const [output, errors, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
    expect({ exitCode, errors }).toEqual({ exitCode: 0, errors: "" })

    const total = count(output, "actions")
    const delivered = count(output, "delivered")
    const failed = count(output, "failed")
    expect(total).toBe(2000)
    expect(delivered + failed).toBe(total)
    expect(failed).toBeGreaterThan(0)
    const reasons = [...output.matchAll(/^ {16}(\d+) × (.*)$/gm)]
    expect(reasons.reduce((sum, m) => sum + Number(m[1]), 0)).toBe(failed)
    for (const [, , reason] of reasons) expect(reason).toStartWith("HTTP 422")
    expect(output).toMatch(/^  signatures\s+[\d,]+ deliveries verified, 0 refused$/m)
    expect(output).toMatch(/enqueue → arrival p50 [\d.]+ ms, p99 [\d.]+ ms/)
    expect(output).toContain(`Every action accounted for: ${delivered.toLocaleString("en-US")} delivered`)

    const redisPort = Number(/private redis-server at redis:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1])
    const serverPort = Number(/server {6}http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1])
    expect(redisPort).toBeGreaterThan(0)
    expect(serverPort).toBeGreaterThan(0)
    expect(await listening(redisPort)).toBe(false)
    expect(await listening(serverPort)).toBe(false)
  },
  180_000
)
