/**
 * The HTTP load generator, in its own process: `bun bench/loadgen.ts '<json>'` with the server's URL, the
 * bearer token and a `Workload`; prints one JSON `WorkloadResult` line (after `{"warm": n}` for a burst).
 */
import { awaitGo, runWorkload, sampleAction, type Submit, type Workload } from "./workloads.ts"

interface Command {
  readonly url: string
  readonly token: string
  readonly workload: Workload
}

const command: Command = JSON.parse(process.argv[2] ?? "{}")
const headers = { authorization: `Bearer ${command.token}`, "content-type": "application/json" }
const bodies = new Map<number, string>()
const bodyOf = (count: number) => {
  let body = bodies.get(count)
  if (body === undefined) {
    body = JSON.stringify({ actions: Array.from({ length: count }, () => sampleAction) })
    bodies.set(count, body)
  }
  return body
}

const submit: Submit = async (count) => {
  const response = await fetch(`${command.url}/enqueue`, { method: "POST", headers, body: bodyOf(count) })
  const answer: unknown = await response.json()
  if (response.status !== 202 || typeof answer !== "object" || answer === null || !("jobIds" in answer) || !Array.isArray(answer.jobIds)) {
    throw new Error(`answered ${response.status}`)
  }
  return answer.jobIds.map(String)
}

const result = await runWorkload(submit, command.workload, awaitGo)
console.log(JSON.stringify(result))
