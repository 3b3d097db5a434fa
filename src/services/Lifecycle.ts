import { Context, Effect, Layer, Ref } from "effect"

/** Whether the process has begun to shut down: readiness turns 503 first, then work stops. */
export class Lifecycle extends Context.Tag("nexora/Lifecycle")<
  Lifecycle,
  { readonly stopping: Effect.Effect<boolean>; readonly beginStopping: Effect.Effect<void> }
>() {
  static readonly Live = Layer.effect(
    Lifecycle,
    Effect.map(Ref.make(false), (ref) => ({ stopping: Ref.get(ref), beginStopping: Ref.set(ref, true) }))
  )
}
