// The demo's scripts and the tests start processes the same way: one helper for a free port, shared.
export { freePort, sleep } from "../../scripts/lib/processes.ts"
import { sleep } from "../../scripts/lib/processes.ts"

/** Polls `check` until it holds or `timeoutMs` passes; the failure names what was awaited. */
export const waitFor = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000, everyMs = 25) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await sleep(everyMs)
  }
  throw new Error(`timed out waiting for ${what}`)
}
