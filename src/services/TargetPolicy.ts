import { Context, Data, type Effect } from "effect"

/** A request's `targetUrl` that may not be used: malformed (`Invalid`) or not allowed (`Forbidden`). */
export class TargetRejected extends Data.TaggedError("TargetRejected")<{
  readonly kind: "Invalid" | "Forbidden"
  readonly reason: string
}> {}

/** Decides where a request's actions may be delivered. */
export class TargetPolicy extends Context.Tag("nexora/TargetPolicy")<
  TargetPolicy,
  {
    /** The URL to deliver to: the request's own if allowed, else the default target. */
    readonly resolve: (requested: string | undefined) => Effect.Effect<string, TargetRejected>
  }
>() {}
