import { Effect, Either, Layer } from "effect"
import { classifyResponse, type DeliveryOutcome, networkFailure, refusedTarget } from "../domain/DeliveryOutcome.ts"
import { Config } from "../services/Config.ts"
import { type DeliveryRequest, Dispatcher } from "../services/Dispatcher.ts"
import { TargetPolicy } from "../services/TargetPolicy.ts"
import { describeNetworkError, readCappedBody } from "./deliveryIo.ts"
import { postPinned } from "./postPinned.ts"

export { KEPT_BODY_BYTES } from "./deliveryIo.ts"

/** The fast path, for origins listed in configuration: `fetch`, redirects not followed. */
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
    // The status is the receiver's decision: a body that stalls or breaks afterwards does not change it.
    const body = await readCappedBody(response.body).catch(() => "")
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

/**
 * Each attempt asks the target policy first, at delivery time: a listed origin goes out through `fetch`;
 * an origin allowed only by `*` is resolved and checked now, and the connection is pinned to the checked
 * addresses, so a name that turned inward since it was accepted (DNS rebinding) is refused, not reached.
 */
export const DispatcherFetch = Layer.effect(
  Dispatcher,
  Effect.gen(function* () {
    const { dispatchTimeoutMs } = yield* Config
    const policy = yield* TargetPolicy
    return {
      attempt: (request) =>
        Effect.gen(function* () {
          const started = performance.now()
          const route = yield* Effect.either(policy.route(request.url))
          if (Either.isLeft(route)) {
            const { kind, reason } = route.left
            const elapsed = performance.now() - started
            // A name that could not be resolved just now may resolve later; a refusal is final.
            return kind === "Unavailable" ? networkFailure(reason, elapsed) : refusedTarget(reason, elapsed)
          }
          if (route.right._tag === "Listed") {
            return yield* Effect.promise((interrupted) => attemptWithFetch(request, dispatchTimeoutMs, interrupted))
          }
          const { addresses } = route.right
          const remaining = Math.max(1, dispatchTimeoutMs - (performance.now() - started))
          return yield* Effect.promise((interrupted) => postPinned(request, addresses, remaining, interrupted))
        })
    }
  })
)
