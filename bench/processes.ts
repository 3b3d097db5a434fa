import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import type { Subprocess } from "bun"
import { sleep } from "./clock.ts"

export const ROOT = join(import.meta.dir, "..")

export type Child = Subprocess<"ignore" | "pipe", "pipe" | "ignore", "pipe">

/** A Bun script of this repository in its own process; stderr is kept to explain a failure. */
export const spawnBun = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  options: { readonly stdout: "pipe" | "ignore"; readonly stdin?: "pipe" | "ignore" }
) => {
  const proc: Child = Bun.spawn(["bun", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdin: options.stdin ?? "ignore",
    stdout: options.stdout,
    stderr: "pipe"
  })
  let stderr = ""
  void (async () => {
    const decoder = new TextDecoder()
    for await (const chunk of proc.stderr) stderr = (stderr + decoder.decode(chunk, { stream: true })).slice(-4_000)
  })()
  return { proc, stderr: () => stderr }
}

export type Spawned = ReturnType<typeof spawnBun>

/** Writes one line to a child started with `stdin: "pipe"`. */
export const sendLine = (child: Spawned, line: string) => {
  const { stdin } = child.proc
  if (typeof stdin === "object" && stdin !== null) {
    stdin.write(`${line}\n`)
    void stdin.flush()
  }
}

/** Reads the lines a child prints, one JSON value each; fails with its stderr if it exits first. */
export const jsonLines = (child: Spawned, what: string) => {
  const { stdout } = child.proc
  if (typeof stdout === "number" || stdout === undefined) throw new Error(`${what}: stdout is not piped`)
  const reader = stdout.getReader()
  const decoder = new TextDecoder()
  let text = ""
  return async <A>(): Promise<A> => {
    for (;;) {
      const newline = text.indexOf("\n")
      if (newline >= 0) {
        const line = text.slice(0, newline)
        text = text.slice(newline + 1)
        return JSON.parse(line)
      }
      const { done, value } = await reader.read()
      if (value !== undefined) text += decoder.decode(value, { stream: true })
      if (done) {
        await child.proc.exited
        throw new Error(`${what} exited with ${child.proc.exitCode} before answering:\n${child.stderr()}`)
      }
    }
  }
}

export const firstJsonLine = <A>(child: Spawned, what: string): Promise<A> => jsonLines(child, what)<A>()

/** Peak resident set size of a live process so far, in MiB (`VmHWM`). */
export const peakRssMb = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]
  return kb === undefined ? Number.NaN : Number(kb) / 1024
}

/** CPU time (user + system, all threads) a live process has used so far, in seconds. */
export const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? []
  // utime and stime, in clock ticks of 1/100 s on Linux.
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** The pid of the redis-server listening on `port`, found by its command line. */
export const redisServerPid = (port: number): number | undefined =>
  readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .find((pid) => {
      try {
        // redis-server rewrites its title to `redis-server host:port`.
        const title = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")
        return title.startsWith("redis-server") && new RegExp(`:${port}(\\s|$)`).test(title)
      } catch {
        return false
      }
    })

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export const stop = async (proc: Child, graceMs = 5_000) => {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  proc.kill("SIGTERM")
  const exited = await Promise.race([proc.exited.then(() => true), sleep(graceMs).then(() => false)])
  if (!exited) {
    proc.kill("SIGKILL")
    await proc.exited
  }
}

export const waitUntil = async (what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 50) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await sleep(everyMs)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}
