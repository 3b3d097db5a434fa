import { Context, Data, type Effect } from "effect"
import type { ResolvedAddress } from "./HostResolver.ts"

/**
 * A target that may not be used: malformed (`Invalid`), not allowed (`Forbidden`), or not checkable right
 * now because its name did not resolve in time (`Unavailable`).
 */
export class TargetRejected extends Data.TaggedError("TargetRejected")<{
  readonly kind: "Invalid" | "Forbidden" | "Unavailable"
  readonly reason: string
}> {}

/** How a target may be reached once allowed. */
export type TargetRoute =
  /** Its origin is listed in `TARGET_URL_ALLOWLIST` (or is the default target's): trusted as configured. */
  | { readonly _tag: "Listed" }
  /** Allowed by `*` only: connect to these addresses, each checked public, and to nothing else. */
  | { readonly _tag: "Public"; readonly addresses: ReadonlyArray<ResolvedAddress> }

/** Decides where actions may be delivered: once when a request names a target, again at every delivery. */
export class TargetPolicy extends Context.Tag("nexora/TargetPolicy")<
  TargetPolicy,
  {
    /** The URL to deliver to: the request's own if allowed, else the default target. */
    readonly resolve: (requested: string | undefined) => Effect.Effect<string, TargetRejected>
    /** Whether and how `url` may be reached now, checking the addresses its name resolves to at this moment. */
    readonly route: (url: string) => Effect.Effect<TargetRoute, TargetRejected>
  }
>() {}
