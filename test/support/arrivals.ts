import type { Received } from "./receiver.ts"

/** What a receiver saw, grouped by `webhook-id` (the job id). */
export const byWebhookId = (received: ReadonlyArray<Received>): Map<string, Array<Received>> => {
  const groups = new Map<string, Array<Received>>()
  for (const request of received) {
    const id = request.headers["webhook-id"] ?? ""
    const group = groups.get(id)
    if (group === undefined) groups.set(id, [request])
    else group.push(request)
  }
  return groups
}

/** Ids that arrived more than once. */
export const repeated = (received: ReadonlyArray<Received>): Array<string> =>
  [...byWebhookId(received)].flatMap(([id, group]) => (group.length > 1 ? [id] : []))

/** `count` actions named `name`, each with its index. */
export const burst = (count: number, name = "BURST") => ({
  actions: Array.from({ length: count }, (_, i) => ({ name, params: { i } }))
})
