import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { existsSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import type { Subprocess } from "bun"
import { parseDockerfile } from "./support/dockerfile.ts"
import { BASE_IMAGE_USERS, type BuiltStage, buildStages, listFiles } from "./support/imageBuild.ts"
import { freePort, waitFor } from "./support/ports.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { TEST_SECRET, TEST_TOKEN } from "./support/server.ts"

/**
 * The image without a Docker engine: the Dockerfile's stages are run in a temporary folder, then the final
 * stage's CMD is started as its USER, as PID 1 of a new PID namespace (as in a container), and probed.
 */
const ROOT = join(import.meta.dir, "..")
const packageJson: { dependencies: Record<string, string>; devDependencies: Record<string, string> } = JSON.parse(
  readFileSync(join(ROOT, "package.json"), "utf8")
)

let buildRoot: string
let image: BuiltStage
let redis: TestRedis
let server: Subprocess<"ignore", "pipe", "pipe">
let serverPid: number
let port: number
let printed = ""

/** The user the final stage names, as ids (the base image defines `bun` as 1000:1000). */
const imageUser = () => {
  const [name = "root"] = image.user.split(":")
  const ids = BASE_IMAGE_USERS[name]
  if (ids === undefined) throw new Error(`USER ${image.user} is not a user of the base image`)
  return ids
}

/** `docker run -e …`: the image's environment plus what an operator passes. */
const runEnv = () => ({
  PATH: process.env.PATH ?? "",
  ...image.env,
  PORT: String(port),
  // A private test: listen on loopback only.
  HOST: "127.0.0.1",
  REDIS_URL: redis.url,
  INTERNAL_ACCESS_TOKEN: TEST_TOKEN,
  WEBHOOK_SECRET: TEST_SECRET,
  DEFAULT_TARGET_URL: "https://app.example.com/hook"
})

const asImageUser = (command: ReadonlyArray<string>) => {
  const { uid, gid } = imageUser()
  return ["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "--", ...command]
}

/** The image's HEALTHCHECK command, run as the image's user: its exit code. */
const healthcheck = async () => {
  const proc = Bun.spawn(asImageUser(image.healthcheck ?? ["false"]), { cwd: image.workdir, env: runEnv(), stdout: "ignore", stderr: "ignore" })
  return proc.exited
}

/** A process line of /proc/<pid>/status, such as `Uid` or `NSpid`. */
const status = (pid: number, field: string) =>
  readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((line) => line.startsWith(`${field}:`))?.slice(field.length + 1).trim().split(/\s+/) ?? []

beforeAll(async () => {
  const built = await buildStages(parseDockerfile(readFileSync(join(ROOT, "Dockerfile"), "utf8")), ROOT)
  buildRoot = built.root
  const last = built.stages.at(-1)
  if (last === undefined) throw new Error("the Dockerfile has no stage")
  image = last
  redis = await startRedis()
  port = await freePort()
  server = Bun.spawn(["unshare", "--pid", "--fork", "--kill-child", ...asImageUser(image.cmd ?? [])], {
    cwd: image.workdir,
    env: runEnv(),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe"
  })
  for (const stream of [server.stdout, server.stderr]) {
    void (async () => {
      for await (const chunk of stream) printed += new TextDecoder().decode(chunk)
    })()
  }
  await waitFor("the image's server to answer /healthz", async () => {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}:\n${printed}`)
    return fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)
  }, 30_000, 100)
  // `unshare --fork` runs the command as its one child: that child is the server, PID 1 inside.
  serverPid = Number(readFileSync(`/proc/${server.pid}/task/${server.pid}/children`, "utf8").trim().split(/\s+/)[0])
}, 180_000)

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) server.kill("SIGKILL")
  await redis?.dispose()
  if (buildRoot !== undefined) rmSync(buildRoot, { recursive: true, force: true })
})

describe("the image, built and run without Docker", () => {
  test("holds the sources and the production dependencies only: no tests, no dev dependencies, no .env", () => {
    const top = listFiles(image.workdir).map((file) => file.split("/")[0]).filter((name, index, all) => all.indexOf(name) === index)
    expect(top.sort()).toEqual(["bun.lock", "node_modules", "package.json", "src", "tsconfig.json"])
    for (const name of Object.keys(packageJson.dependencies)) {
      expect({ name, installed: existsSync(join(image.workdir, "node_modules", name, "package.json")) }).toEqual({ name, installed: true })
    }
    for (const name of Object.keys(packageJson.devDependencies)) {
      expect({ name, installed: existsSync(join(image.workdir, "node_modules", name)) }).toEqual({ name, installed: false })
    }
    expect(listFiles(join(image.workdir, "src")).filter((file) => file.endsWith(".test.ts"))).toEqual([])
  })

  test("serves /healthz and /readyz as a non-root user, as PID 1 of its namespace", async () => {
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
    await waitFor("/readyz", () => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false))
    const [realUid] = status(serverPid, "Uid")
    expect(realUid).toBe(String(imageUser().uid))
    expect(realUid).not.toBe("0")
    // NSpid: the pid on this machine, then the pid inside the namespace.
    expect(status(serverPid, "NSpid").at(-1)).toBe("1")
  })

  test("its HEALTHCHECK passes while the server runs", async () => {
    expect(await healthcheck()).toBe(0)
  })

  test("SIGTERM to PID 1 stops it gracefully (exit 0), and the HEALTHCHECK then fails", async () => {
    // Like `docker stop`: a signal from outside the namespace reaches its PID 1 only if PID 1 handles it.
    process.kill(serverPid, "SIGTERM")
    expect(await server.exited).toBe(0)
    expect(await healthcheck()).not.toBe(0)
  }, 60_000)
})
