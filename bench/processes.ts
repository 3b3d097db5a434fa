import { readFileSync } from "node:fs"
import { join } from "node:path"
import type { Subprocess } from "bun"
import { sleep } from "./clock.ts"

export const ROOT = join(import.meta.dir, "..")

export type Child = Subprocess<"ignore", "pipe" | "ignore", "pipe">

/** A Bun script of this repository in its own process; stderr is kept to explain a failure. */
export const spawnBun = (args: ReadonlyArray<string>, env: Record<string, string>, options: { readonly stdout: "pipe" | "ignore" }) => {
  const proc: Child = Bun.spawn(["bun", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdin: "ignore",
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

/** The first line a child prints, parsed as JSON; fails with its stderr if it exits first. */
export const firstJsonLine = async <A>(child: Spawned, what: string): Promise<A> => {
  const { stdout } = child.proc
  if (typeof stdout === "number" || stdout === undefined) throw new Error(`${what}: stdout is not piped`)
  const reader = stdout.getReader()
  const decoder = new TextDecoder()
  let text = ""
  for (;;) {
    const { done, value } = await reader.read()
    if (value !== undefined) text += decoder.decode(value, { stream: true })
    const newline = text.indexOf("\n")
    if (newline >= 0) {
      reader.releaseLock()
      return JSON.parse(text.slice(0, newline))
    }
    if (done) {
      await child.proc.exited
      throw new Error(`${what} exited with ${child.proc.exitCode} before answering:\n${child.stderr()}`)
    }
  }
}

/** Peak resident set size of a live process so far, in MiB (`VmHWM`). */
export const peakRssMb = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]
  return kb === undefined ? Number.NaN : Number(kb) / 1024
}

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
