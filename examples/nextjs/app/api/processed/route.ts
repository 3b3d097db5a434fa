import { ledger } from "../../../lib/ledger"

export const runtime = "nodejs"
export const dynamic = "force-dynamic"

/** What the example app has done so far, for a person or the end-to-end test to read. */
export function GET() {
  return Response.json({
    verified: ledger.verified,
    refused: ledger.refused,
    processed: [...ledger.processed].map(([id, entry]) => ({ id, ...entry }))
  })
}
