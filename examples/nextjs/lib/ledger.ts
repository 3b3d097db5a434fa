import type { Action } from "./actions"

/** What this example app did with each webhook: its stand-in for a database. */
export interface Ledger {
  /** Deliveries whose signature was valid. */
  verified: number
  /** Deliveries refused: bad signature, or a poison action. */
  refused: { signature: number; invalid: number }
  /** Processed actions by `webhook-id`; `times` above 1 would mean an action was applied twice. */
  processed: Map<string, { name: string; tenantId: string; times: number }>
}

// On globalThis so that every route of the one `next start` process shares it.
const holder: typeof globalThis & { nexoraLedger?: Ledger } = globalThis
export const ledger: Ledger = (holder.nexoraLedger ??= {
  verified: 0,
  refused: { signature: 0, invalid: 0 },
  processed: new Map()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Applies one action. A real app writes to its database here; `simulateLatencyMs` in params stands for a slow
 * write, so the end-to-end test can make the sender time out and deliver the same action again.
 */
export const applyAction = async (id: string, action: Action): Promise<void> => {
  const latency = action.params.simulateLatencyMs
  if (typeof latency === "number" && latency > 0) await sleep(Math.min(latency, 10_000))
  const known = ledger.processed.get(id)
  ledger.processed.set(id, { name: action.name, tenantId: action.params.tenantId, times: (known?.times ?? 0) + 1 })
}
