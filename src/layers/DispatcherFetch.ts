import { Effect, Layer } from "effect"
import { classifyResponse, type DeliveryOutcome, networkFailure } from "../domain/DeliveryOutcome.ts"
import { Config } from "../services/Config.ts"
import { type DeliveryRequest, Dispatcher } from "../services/Dispatcher.ts"

/** What is kept of a receiver's answer for the job's history. */
export const KEPT_BODY_BYTES = 1024
/** Read at most this much so a healthy connection can be reused; beyond it the stream is dropped. */
const DRAINED_BODY_BYTES = 64 * 1024

const readCappedBody = async (response: Response): Promise<string> => {
  if (response.body === null) return ""
  const reader = response.body.getReader()
  const chunks: Array<Uint8Array> = []
  let kept = 0
  let read = 0
  try {
    while (read < DRAINED_BODY_BYTES) {
      const { done, value } = await reader.read()
      if (done) break
      read += value.byteLength
      if (kept < KEPT_BODY_BYTES) {
        const slice = value.subarray(0, KEPT_BODY_BYTES - kept)
        chunks.push(slice)
        kept += slice.byteLength
      }
    }
  } finally {
    if (read >= DRAINED_BODY_BYTES) await reader.cancel().catch(() => undefined)
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}

const describeNetworkError = (error: unknown, timedOut: boolean, timeoutMs: number): string => {
  if (timedOut) return `timeout after ${timeoutMs} ms`
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined
  const message = error instanceof Error ? error.message : String(error)
  return code ? `network error ${code}: ${message}` : `network error: ${message}`
}

export const attemptWithFetch = async (
  request: DeliveryRequest,
  timeoutMs: number,
  interrupted?: AbortSignal
): Promise<DeliveryOutcome> => {
  const started = performance.now()
  const controller = new AbortController()
  interrupted?.addEventListener("abort", () => controller.abort(), { once: true })
  let timedOut = false
  // One timer for connect, headers and body: the contract's whole-attempt timeout.
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, timeoutMs)
  try {
    const response = await fetch(request.url, {
      method: "POST",
      body: request.body,
      headers: request.headers,
      redirect: "manual",
      signal: controller.signal
    })
    const body = await readCappedBody(response)
    return classifyResponse({
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      body,
      durationMs: performance.now() - started,
      now: Date.now()
    })
  } catch (error) {
    return networkFailure(describeNetworkError(error, timedOut, timeoutMs), performance.now() - started)
  } finally {
    clearTimeout(timer)
  }
}

export const DispatcherFetch = Layer.effect(
  Dispatcher,
  Effect.map(Config, ({ dispatchTimeoutMs }) => ({
    attempt: (request) => Effect.promise((interrupted) => attemptWithFetch(request, dispatchTimeoutMs, interrupted))
  }))
)
