import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Subprocess } from "bun"
import { freePort, waitFor } from "./ports.ts"

export interface TestCluster {
  readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>
  /** `REDIS_CLUSTER_NODES` for the server. */
  readonly seeds: string
  dispose(): Promise<void>
}

const run = async (args: ReadonlyArray<string>) => {
  const proc = Bun.spawn([...args], { stdout: "pipe", stderr: "pipe" })
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  return { code: await proc.exited, out, err }
}

/** A private 3-master Redis Cluster on loopback (no replicas), from `redis-server --cluster-enabled yes`. */
export const startCluster = async (masters = 3): Promise<TestCluster> => {
  const dir = mkdtempSync(join(tmpdir(), "nexora-cluster-"))
  const procs: Array<Subprocess> = []
  const nodes: Array<{ host: string; port: number }> = []
  const dispose = async () => {
    for (const proc of procs) proc.kill("SIGKILL")
    await Promise.all(procs.map((proc) => proc.exited))
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    for (let i = 0; i < masters; i++) {
      const [port, busPort] = [await freePort(), await freePort()]
      procs.push(
        Bun.spawn(
          [
            "redis-server",
            "--port", String(port),
            "--cluster-port", String(busPort),
            "--bind", "127.0.0.1",
            "--dir", dir,
            "--dbfilename", `dump-${port}.rdb`,
            "--cluster-enabled", "yes",
            "--cluster-config-file", `nodes-${port}.conf`,
            "--save", "",
            "--appendonly", "no"
          ],
          { stdout: "ignore", stderr: "ignore" }
        )
      )
      nodes.push({ host: "127.0.0.1", port })
    }
    for (const { port } of nodes) {
      await waitFor(`cluster node ${port}`, async () => (await run(["redis-cli", "-p", String(port), "ping"])).out.trim() === "PONG", 10_000, 50)
    }
    const created = await run([
      "redis-cli", "--cluster", "create", ...nodes.map(({ host, port }) => `${host}:${port}`),
      "--cluster-replicas", "0", "--cluster-yes"
    ])
    if (created.code !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.out}\n${created.err}`)
    for (const { port } of nodes) {
      await waitFor(
        `cluster_state:ok on ${port}`,
        async () => (await run(["redis-cli", "-p", String(port), "cluster", "info"])).out.includes("cluster_state:ok"),
        15_000,
        100
      )
    }
  } catch (error) {
    await dispose()
    throw error
  }
  return { nodes, seeds: nodes.map(({ host, port }) => `${host}:${port}`).join(","), dispose }
}
