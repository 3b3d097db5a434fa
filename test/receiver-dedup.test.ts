import { describe, expect, test } from "bun:test"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { type ClaimResult, memoryWebhookIdStore, processOnce, type WebhookIdStore } from "nexora-queue/receiver"

const fakeClock = () => {
  let now = 1_000_000
  return { now: () => now, advance: (ms: number) => void (now += ms) }
}

describe("processOnce with the in-memory store", () => {
  test("processes an id once; later deliveries of it are duplicates", async () => {
    const store = memoryWebhookIdStore()
    let runs = 0
    const first = await processOnce(store, "job-1", () => ++runs)
    const again = await processOnce(store, "job-1", () => ++runs)
    const other = await processOnce(store, "job-2", () => ++runs)
    expect(first).toEqual({ status: "processed", value: 1 })
    expect(again).toEqual({ status: "duplicate" })
    expect(other).toEqual({ status: "processed", value: 2 })
    expect(runs).toBe(2)
  })

  test("a failure releases the id, so the retry processes it", async () => {
    const store = memoryWebhookIdStore()
    const failing = processOnce(store, "job-1", async () => {
      throw new Error("database down")
    })
    await expect(failing).rejects.toThrow("database down")
    expect(await processOnce(store, "job-1", () => "ok")).toEqual({ status: "processed", value: "ok" })
  })

  test("a delivery that arrives while the same id is being processed is told so", async () => {
    const store = memoryWebhookIdStore()
    let finish = () => {}
    const slow = processOnce(store, "job-1", () => new Promise<void>((resolve) => (finish = resolve)))
    expect(await processOnce(store, "job-1", () => "again")).toEqual({ status: "in-progress" })
    finish()
    expect(await slow).toEqual({ status: "processed", value: undefined })
    expect(await processOnce(store, "job-1", () => "again")).toEqual({ status: "duplicate" })
  })

  test("an id is forgotten after its TTL, a stuck claim after its lease", async () => {
    const clock = fakeClock()
    const store = memoryWebhookIdStore({ now: clock.now })
    await processOnce(store, "job-1", () => 1, { ttlMs: 1_000 })
    clock.advance(999)
    expect((await processOnce(store, "job-1", () => 2, { ttlMs: 1_000 })).status).toBe("duplicate")
    clock.advance(1)
    expect(await processOnce(store, "job-1", () => 3)).toEqual({ status: "processed", value: 3 })

    expect(await store.claim("job-2", 500)).toBe("claimed")
    expect(await store.claim("job-2", 500)).toBe("processing")
    clock.advance(500)
    expect(await store.claim("job-2", 500)).toBe("claimed")
  })

  test("holds at most maxEntries ids, forgetting the oldest first", async () => {
    const store = memoryWebhookIdStore({ maxEntries: 3 })
    for (const id of ["a", "b", "c", "d"]) await processOnce(store, id, () => id)
    expect((await processOnce(store, "a", () => "a")).status).toBe("processed")
    expect((await processOnce(store, "d", () => "d")).status).toBe("duplicate")
  })
})

test("processOnce works on a store of the user's own, asynchronous like a database", async () => {
  const rows = new Map<string, "processing" | "done">()
  const store: WebhookIdStore = {
    claim: async (id): Promise<ClaimResult> => {
      const known = rows.get(id)
      if (known !== undefined) return known
      rows.set(id, "processing")
      return "claimed"
    },
    complete: async (id) => void rows.set(id, "done"),
    release: async (id) => void rows.delete(id)
  }
  const results = await Promise.all([1, 2, 3].map(() => processOnce(store, "job-1", async () => "done")))
  expect(results.map((r) => r.status).sort()).toEqual(["in-progress", "in-progress", "processed"])
  expect(rows.get("job-1")).toBe("done")
})

test("the kit imports nothing but node: modules and itself, so it runs on Node (Next.js) as well as Bun", () => {
  const dir = join(import.meta.dir, "..", "src", "receiver")
  for (const file of readdirSync(dir)) {
    const source = readFileSync(join(dir, file), "utf8")
    const imports = [...source.matchAll(/from "([^"]+)"/g)].map((m) => m[1] ?? "")
    expect(imports.filter((name) => !name.startsWith("node:") && !name.startsWith("./"))).toEqual([])
    expect(source).not.toMatch(/\bBun\./)
  }
})
