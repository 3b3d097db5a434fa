import { Context, type Effect } from "effect"
import type { DeliveryOutcome } from "../domain/DeliveryOutcome.ts"

export interface DeliveryRequest {
  readonly url: string
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
}

/** Makes one delivery attempt. It never fails: every fault is an outcome. */
export class Dispatcher extends Context.Tag("nexora/Dispatcher")<
  Dispatcher,
  { readonly attempt: (request: DeliveryRequest) => Effect.Effect<DeliveryOutcome> }
>() {}
