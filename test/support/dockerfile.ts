import { DockerfileParser, JSONInstruction, ModifiableInstruction, PropertyInstruction } from "dockerfile-ast"

/** One instruction, in the terms the tests read: its words, its JSON array (exec form), its flags. */
export interface Step {
  readonly keyword: string
  /** The arguments as written, without flags, with line continuations joined. */
  readonly content: string
  readonly args: ReadonlyArray<string>
  /** The exec form (`["bun", "src/index.ts"]`), when the instruction is written in it. */
  readonly exec: ReadonlyArray<string> | undefined
  readonly flags: Readonly<Record<string, string>>
  /** `NAME=value` pairs of ENV, ARG and LABEL. */
  readonly properties: Readonly<Record<string, string>>
}

export interface Stage {
  readonly name: string | undefined
  /** `repository:tag`, as on the FROM line. */
  readonly image: string
  readonly steps: ReadonlyArray<Step>
}

const flagsOf = (content: string) => {
  const flags: Record<string, string> = {}
  let rest = content.trimStart()
  for (let match = /^--([\w-]+)(?:=(\S*))?\s+/.exec(rest); match !== null; match = /^--([\w-]+)(?:=(\S*))?\s+/.exec(rest)) {
    flags[match[1] ?? ""] = match[2] ?? ""
    rest = rest.slice(match[0].length)
  }
  return { flags, rest }
}

/** The `HEALTHCHECK` command, `CMD` and its exec form taken after the flags. */
export const healthcheckCommand = (step: Step): ReadonlyArray<string> | undefined => {
  const match = /^CMD\s+(\[.*\])\s*$/s.exec(flagsOf(step.content).rest)
  if (match === null) return undefined
  const parsed: unknown = JSON.parse(match[1] ?? "[]")
  return Array.isArray(parsed) && parsed.every((part) => typeof part === "string") ? parsed : undefined
}

/** Parses a Dockerfile into its stages, each with its instructions in order. */
export const parseDockerfile = (text: string): ReadonlyArray<Stage> => {
  const stages: Array<{ name: string | undefined; image: string; steps: Array<Step> }> = []
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const keyword = instruction.getKeyword()
    const raw = (instruction.getArgumentsContent() ?? "").replace(/\\\r?\n\s*/g, "")
    const flags =
      instruction instanceof ModifiableInstruction
        ? Object.fromEntries(instruction.getFlags().map((flag) => [flag.getName(), flag.getValue() ?? ""]))
        : keyword === "HEALTHCHECK"
          ? flagsOf(raw).flags
          : {}
    const properties =
      instruction instanceof PropertyInstruction
        ? Object.fromEntries(instruction.getProperties().map((property) => [property.getName(), property.getValue() ?? ""]))
        : {}
    const exec =
      instruction instanceof JSONInstruction && instruction.getJSONStrings().length > 0
        ? instruction.getJSONStrings().map((part) => part.getJSONValue())
        : undefined
    const args = instruction.getArguments().map((argument) => argument.getValue()).filter((arg) => !arg.startsWith("--"))
    const step: Step = { keyword, content: raw, args, exec, flags, properties }
    if (keyword === "FROM") {
      const named = args.findIndex((arg) => arg.toUpperCase() === "AS")
      stages.push({ image: args[0] ?? "", name: named >= 0 ? args[named + 1] : undefined, steps: [] })
    } else {
      stages.at(-1)?.steps.push(step)
    }
  }
  return stages
}

/** The steps of `stage` with `keyword`. */
export const stepsOf = (stage: Stage | undefined, keyword: string) => stage?.steps.filter((step) => step.keyword === keyword) ?? []
