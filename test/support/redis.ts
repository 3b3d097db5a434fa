import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Subprocess } from "bun"
import { freePort, sleep, waitFor } from "./ports.ts"

export interface TestRedis {
  readonly port: number
  readonly url: string
  /** Stops the server (SIGKILL when `hard`), keeping its data directory. */
  stop(options?: { hard?: boolean }): Promise<void>
  /** Starts it again on the same port and directory (with AOF, the data survives). */
  start(): Promise<void>
  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered, until `resume`. */
  pause(): void
  resume(): void
  /** Stops it and removes its directory. */
  dispose(): Promise<void>
}

const ping = async (port: number) => {
  const proc = Bun.spawn(["redis-cli", "-p", String(port), "ping"], { stdout: "pipe", stderr: "ignore" })
  const out = await new Response(proc.stdout).text()
  return out.trim() === "PONG"
}

/** A private `redis-server` on a free port; never a Redis the suite did not start. */
export const startRedis = async (options: { aof?: boolean; args?: ReadonlyArray<string> } = {}): Promise<TestRedis> => {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), "nexora-redis-"))
  let proc: Subprocess | undefined
  const start = async () => {
    proc = Bun.spawn(
      [
        "redis-server",
        "--port", String(port),
        "--bind", "127.0.0.1",
        "--dir", dir,
        "--save", "",
        "--appendonly", options.aof ? "yes" : "no",
        ...(options.aof ? ["--appendfsync", "always"] : []),
        ...(options.args ?? [])
      ],
      { stdout: "ignore", stderr: "ignore" }
    )
    await waitFor(`redis-server on ${port}`, () => ping(port), 10_000, 50)
  }
  const stop = async ({ hard = false } = {}) => {
    if (proc === undefined) return
    proc.kill(hard ? "SIGKILL" : "SIGTERM")
    await proc.exited
    proc = undefined
    await sleep(20)
  }
  await start()
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    pause: () => proc?.kill("SIGSTOP"),
    resume: () => proc?.kill("SIGCONT"),
    dispose: async () => {
      await stop({ hard: true })
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
