import { memoryWebhookIdStore, processOnce, verifyWebhook } from "nexora-queue/receiver"
import { parseAction } from "../../../lib/actions"
import { applyAction, ledger } from "../../../lib/ledger"

// node:crypto is needed, so not the Edge runtime.
export const runtime = "nodejs"

// One process: memory is enough. With several instances, implement WebhookIdStore on your database or Redis.
const seen = memoryWebhookIdStore()

const answer = (status: number, body: Record<string, unknown>, headers?: HeadersInit) =>
  Response.json(body, { status, headers })

/**
 * Nexora Queue delivers each action here. What the answer means to it:
 * 2xx delivered · 5xx (and 408, 425, 429) retried with backoff · any other 4xx failed for good, kept for replay.
 */
export async function POST(request: Request) {
  const body = await request.text() // the raw bytes: verify before parsing
  const verified = verifyWebhook(body, request.headers, [process.env.WEBHOOK_SECRET, process.env.WEBHOOK_SECRET_PREVIOUS])
  if (!verified.ok) {
    // Our own missing secret is our fault: 500 keeps the action queued until the app is fixed.
    if (verified.reason === "missing_secret") return answer(500, { error: "WEBHOOK_SECRET is not set" })
    ledger.refused.signature++
    return answer(401, { error: verified.reason })
  }
  ledger.verified++

  const parsed = parseAction(body)
  if (!parsed.ok) {
    ledger.refused.invalid++
    return answer(422, { error: parsed.message }) // a poison action: retrying would not help
  }

  try {
    const result = await processOnce(seen, verified.id, () => applyAction(verified.id, parsed.action))
    if (result.status === "in-progress") {
      return answer(503, { error: "this action is being processed" }, { "retry-after": "1" })
    }
    return answer(200, { id: verified.id, duplicate: result.status === "duplicate" })
  } catch {
    return answer(503, { error: "could not process the action now" }) // transient: Nexora retries it
  }
}
