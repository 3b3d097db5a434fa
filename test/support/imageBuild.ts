import ignore from "@balena/dockerignore"
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join, posix, relative } from "node:path"
import { healthcheckCommand, type Stage, stepsOf } from "./dockerfile.ts"

/**
 * What the official `oven/bun` images provide that the Dockerfile relies on: the `bun` user (uid and gid
 * 1000, home `/home/bun`) and the environment they set.
 */
export const BASE_IMAGE_USERS: Readonly<Record<string, { readonly uid: number; readonly gid: number }>> = {
  root: { uid: 0, gid: 0 },
  bun: { uid: 1000, gid: 1000 }
}
const BASE_IMAGE_ENV = { BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0", HOME: "/home/bun" }

export interface BuiltStage {
  readonly name: string
  /** The stage's file system root on this machine (the stage's `/`). */
  readonly root: string
  /** Its last WORKDIR, on this machine. */
  readonly workdir: string
  readonly env: Readonly<Record<string, string>>
  readonly user: string
  readonly cmd: ReadonlyArray<string> | undefined
  readonly healthcheck: ReadonlyArray<string> | undefined
}

/**
 * Runs a Dockerfile's stages in a temporary folder, without a Docker engine: WORKDIR, ENV, USER, COPY (from the
 * build context through `.dockerignore`, or from an earlier stage) and RUN, each stage in its own folder that
 * stands for its `/`. What an image would start is then the last stage's CMD in its WORKDIR as its USER.
 */
export const buildStages = async (
  stages: ReadonlyArray<Stage>,
  context: string
): Promise<{ readonly root: string; readonly stages: ReadonlyArray<BuiltStage> }> => {
  const root = mkdtempSync(join(tmpdir(), "nexora-image-"))
  // A non-root user must be able to reach the final stage's files, as in an image.
  chmodSync(root, 0o755)
  const ignorePath = join(context, ".dockerignore")
  const ignored = ignore().add(existsSync(ignorePath) ? readFileSync(ignorePath, "utf8") : "")
  const built: Array<BuiltStage> = []
  for (const [index, stage] of stages.entries()) {
    const name = stage.name ?? String(index)
    const stageRoot = join(root, name)
    mkdirSync(stageRoot, { recursive: true, mode: 0o755 })
    const onHost = (path: string) => join(stageRoot, path)
    let cwd = "/"
    let user = "root"
    const env: Record<string, string> = { ...BASE_IMAGE_ENV }
    for (const step of stage.steps) {
      switch (step.keyword) {
        case "WORKDIR":
          cwd = posix.resolve(cwd, step.args[0] ?? "/")
          mkdirSync(onHost(cwd), { recursive: true, mode: 0o755 })
          break
        case "ENV":
          Object.assign(env, step.properties)
          break
        case "USER":
          user = step.args[0] ?? "root"
          break
        case "COPY": {
          const sources = step.args.slice(0, -1)
          const target = posix.resolve(cwd, step.args.at(-1) ?? ".")
          const intoFolder = (step.args.at(-1) ?? "").endsWith("/") || sources.length > 1
          const from = step.flags["from"]
          for (const source of sources) {
            const fromStage = built.find((candidate) => candidate.name === from)
            const path = fromStage ? join(fromStage.root, source) : join(context, source)
            if (!fromStage && ignored.ignores(relative(context, path))) throw new Error(`COPY ${source}: excluded by .dockerignore`)
            const destination = onHost(intoFolder ? posix.join(target, basename(source)) : target)
            cpSync(path, destination, {
              recursive: true,
              filter: (file) => fromStage !== undefined || file === path || !ignored.ignores(relative(context, file))
            })
          }
          break
        }
        case "RUN": {
          if (user !== "root") throw new Error("RUN as a non-root user is not emulated")
          const command = step.exec ?? ["sh", "-c", step.content]
          const proc = Bun.spawn([...command], {
            cwd: onHost(cwd),
            // Root's home, as a build's RUN has; its package cache makes the install quick.
            env: { ...env, PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root" },
            stdout: "pipe",
            stderr: "pipe"
          })
          const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()])
          if (code !== 0) throw new Error(`RUN ${command.join(" ")} exited ${code}:\n${out}\n${err}`)
          break
        }
      }
    }
    const healthcheck = stepsOf(stage, "HEALTHCHECK").at(-1)
    built.push({
      name,
      root: stageRoot,
      workdir: onHost(cwd),
      env,
      user,
      cmd: stepsOf(stage, "CMD").at(-1)?.exec,
      healthcheck: healthcheck ? healthcheckCommand(healthcheck) : undefined
    })
  }
  return { root, stages: built }
}

/** Every file under `dir`, relative to it. */
export const listFiles = (dir: string): Array<string> =>
  Array.from(new Bun.Glob("**/*").scanSync({ cwd: dir, dot: true, onlyFiles: true }))
