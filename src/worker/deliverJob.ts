import { Effect, Option } from "effect"
import { type JobPayload, webhookBody } from "../domain/Action.ts"
import type { DeliveryOutcome } from "../domain/DeliveryOutcome.ts"
import { USER_AGENT } from "../domain/version.ts"
import { Dispatcher } from "../services/Dispatcher.ts"
import { Signer } from "../services/Signer.ts"

export interface JobAttempt {
  /** The job id, sent as `webhook-id` on every attempt. */
  readonly id: string
  readonly data: JobPayload
  /** 1 for the first attempt. */
  readonly attempt: number
  readonly signal?: AbortSignal | undefined
}

const statusOf = (outcome: DeliveryOutcome): number | undefined =>
  outcome._tag === "Delivered" ? outcome.status : Option.getOrUndefined(outcome.status)

/** One signed attempt at delivering a job, logged in one line without its payload. */
export const deliverJob = ({ id, data, attempt }: JobAttempt) =>
  Effect.gen(function* () {
    const signer = yield* Signer
    const dispatcher = yield* Dispatcher
    const body = webhookBody(data)
    const signature = signer.sign({ id, timestamp: Math.floor(Date.now() / 1000), body })
    const outcome = yield* dispatcher.attempt({
      url: data.targetUrl,
      body,
      headers: {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "nexora-attempt": String(attempt),
        ...signature
      }
    })
    yield* Effect.log("delivery attempt").pipe(
      Effect.annotateLogs({
        jobId: id,
        action: data.name,
        attempt,
        outcome: outcome._tag,
        status: statusOf(outcome) ?? null,
        durationMs: Math.round(outcome.durationMs),
        ...(outcome._tag === "Delivered" ? {} : { reason: outcome.reason })
      })
    )
    return outcome
  }).pipe(Effect.withSpan("Worker.deliverJob"))
