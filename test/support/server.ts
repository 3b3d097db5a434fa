import { appendFileSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import type { Subprocess } from "bun"
import { freePort, waitFor } from "./ports.ts"

export const TEST_TOKEN = "test-token-5b1f0c2e9a7d4e3f8c6b"
export const TEST_SECRET = "test-webhook-secret-0123456789abcdef"
export const TEST_ADMIN = { user: "operator", pass: "test-admin-pass-7c41e2" }

/** Everything servers print during the suite, so one test can search it for secrets. */
export const OUTPUT_DIR = join(import.meta.dir, "..", "..", ".test-output")

export interface TestServer {
  readonly url: string
  readonly port: number
  readonly proc: Subprocess<"ignore", "pipe", "pipe">
  /** What the process printed so far (stdout and stderr). */
  output(): string
  /** Sends `signal` and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>
  fetch(path: string, init?: RequestInit): Promise<Response>
  enqueue(body: unknown, headers?: Record<string, string>): Promise<Response>
}

/** Starts the server the way a user does (`bun run src/index.ts`) with the given environment. */
export const startServer = async (env: Record<string, string>, options: { waitReady?: boolean } = {}): Promise<TestServer> => {
  const port = await freePort()
  mkdirSync(OUTPUT_DIR, { recursive: true })
  const logFile = join(OUTPUT_DIR, `server-${port}-${Date.now()}.log`)
  const proc = Bun.spawn(["bun", "run", "src/index.ts"], {
    cwd: join(import.meta.dir, "..", ".."),
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      PORT: String(port),
      HOST: "127.0.0.1",
      INTERNAL_ACCESS_TOKEN: TEST_TOKEN,
      WEBHOOK_SECRET: TEST_SECRET,
      ADMIN_USER: TEST_ADMIN.user,
      ADMIN_PASS: TEST_ADMIN.pass,
      LOG_LEVEL: "info",
      ...env
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe"
  })
  let printed = ""
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) {
      const text = decoder.decode(chunk, { stream: true })
      printed += text
      appendFileSync(logFile, text)
    }
  }
  void collect(proc.stdout)
  void collect(proc.stderr)
  const url = `http://127.0.0.1:${port}`
  const server: TestServer = {
    url,
    port,
    proc,
    output: () => printed,
    stop: async (signal = "SIGTERM") => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
      return proc.exited
    },
    fetch: (path, init) => fetch(`${url}${path}`, init),
    enqueue: (body, headers = {}) =>
      fetch(`${url}/enqueue`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body)
      })
  }
  await waitFor(
    "the server to answer /healthz",
    async () => {
      if (proc.exitCode !== null) throw new Error(`the server exited with ${proc.exitCode}:\n${printed}`)
      return fetch(`${url}/healthz`).then((r) => r.ok, () => false)
    },
    20_000,
    50
  )
  if (options.waitReady !== false) {
    await waitFor("the server to be ready", () => fetch(`${url}/readyz`).then((r) => r.ok, () => false), 20_000, 50)
  }
  return server
}
