import { readFileSync } from "node:fs"
import { join } from "node:path"

export const DATA_FILE = join(import.meta.dir, "..", "..", "examples", "data", "offline-sync.json")

export interface DemoAction {
  readonly name: string
  readonly params: unknown
}

export interface DemoData {
  readonly expect: { readonly actions: number; readonly tenants: number; readonly requests: number; readonly poison: number }
  readonly requests: ReadonlyArray<{ readonly tenantId: string; readonly actions: ReadonlyArray<DemoAction> }>
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null

const isDemoData = (value: unknown): value is DemoData =>
  isRecord(value) &&
  isRecord(value.expect) &&
  ["actions", "tenants", "requests", "poison"].every((k) => isRecord(value.expect) && typeof value.expect[k] === "number") &&
  Array.isArray(value.requests) &&
  value.requests.every(
    (r: unknown) =>
      isRecord(r) &&
      typeof r.tenantId === "string" &&
      Array.isArray(r.actions) &&
      r.actions.every((a: unknown) => isRecord(a) && typeof a.name === "string")
  )

/** The burst of examples/data/offline-sync.json (written by scripts/generate-demo-data.ts). */
export const loadDemoData = (): DemoData => {
  const value: unknown = JSON.parse(readFileSync(DATA_FILE, "utf8"))
  if (!isDemoData(value)) throw new Error(`${DATA_FILE} is not in the expected shape; regenerate it`)
  return value
}
