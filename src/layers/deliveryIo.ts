/** What both delivery paths share: reading a receiver's answer within bounds, and naming a network fault. */

/** What is kept of a receiver's answer for the job's history. */
export const KEPT_BODY_BYTES = 1024
/** Read at most this much so a healthy connection can be reused; beyond it the stream is dropped. */
const DRAINED_BODY_BYTES = 64 * 1024

/** The first `KEPT_BODY_BYTES` of an answer; leaving the loop early cancels the rest of the stream. */
export const readCappedBody = async (body: AsyncIterable<Uint8Array> | null): Promise<string> => {
  if (body === null) return ""
  const chunks: Array<Uint8Array> = []
  let kept = 0
  let read = 0
  for await (const chunk of body) {
    read += chunk.byteLength
    if (kept < KEPT_BODY_BYTES) {
      const slice = chunk.subarray(0, KEPT_BODY_BYTES - kept)
      chunks.push(slice)
      kept += slice.byteLength
    }
    if (read >= DRAINED_BODY_BYTES) break
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}

export const describeNetworkError = (error: unknown, timedOut: boolean, timeoutMs: number): string => {
  if (timedOut) return `timeout after ${timeoutMs} ms`
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined
  const message = error instanceof Error ? error.message : String(error)
  return code ? `network error ${code}: ${message}` : `network error: ${message}`
}
