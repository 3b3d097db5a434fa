import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Subprocess } from "bun"

export const REPO_ROOT = join(import.meta.dir, "..", "..")

/** A TCP port free on 127.0.0.1 right now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` until it holds; past `timeoutMs` it fails naming what it waited for. */
export const waitFor = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await sleep(everyMs)
  }
  throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`)
}

const answers = (url: string) => fetch(url).then((r) => r.ok, () => false)

/** SIGTERM, then SIGKILL if the process has not gone within `graceMs`. */
export const stopProcess = async (proc: Subprocess, graceMs = 30_000): Promise<void> => {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  proc.kill("SIGTERM")
  const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs)
  await proc.exited
  clearTimeout(timer)
}

export interface PrivateRedis {
  readonly url: string
  stop(): Promise<void>
}

/** A `redis-server` from the PATH on a free port of 127.0.0.1, without persistence, in a scratch directory. */
export const startPrivateRedis = async (): Promise<PrivateRedis> => {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), "nexora-redis-"))
  const proc = Bun.spawn(
    ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"],
    { stdout: "ignore", stderr: "ignore" }
  )
  const stop = async () => {
    await stopProcess(proc, 5_000)
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitFor(`redis-server on port ${port}`, async () => {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}`)
      const ping = Bun.spawn(["redis-cli", "-p", String(port), "ping"], { stdout: "pipe", stderr: "ignore" })
      return (await new Response(ping.stdout).text()).trim() === "PONG"
    }, 10_000)
  } catch (error) {
    await stop()
    throw error
  }
  return { url: `redis://127.0.0.1:${port}`, stop }
}

export interface NexoraServer {
  readonly url: string
  /** What the server printed so far. */
  output(): string
  stop(): Promise<void>
}

/**
 * The server as a user starts it (`bun run src/index.ts`) on a free port of 127.0.0.1, with exactly `env`:
 * no `.env` file is read, so a developer's own settings cannot leak into a run.
 */
export const startNexora = async (env: Record<string, string>): Promise<NexoraServer> => {
  const port = await freePort()
  const proc = Bun.spawn(["bun", "--no-env-file", "run", join(REPO_ROOT, "src", "index.ts")], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PORT: String(port), HOST: "127.0.0.1", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe"
  })
  let printed = ""
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) printed = (printed + decoder.decode(chunk, { stream: true })).slice(-20_000)
  }
  void collect(proc.stdout)
  void collect(proc.stderr)
  const url = `http://127.0.0.1:${port}`
  const server: NexoraServer = { url, output: () => printed, stop: () => stopProcess(proc) }
  try {
    await waitFor("the Nexora server to be ready", async () => {
      if (proc.exitCode !== null) throw new Error(`the Nexora server exited with ${proc.exitCode}:\n${printed}`)
      return answers(`${url}/readyz`)
    }, 30_000)
  } catch (error) {
    await server.stop()
    throw error
  }
  return server
}
