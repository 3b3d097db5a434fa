import { Context, Data, type Effect } from "effect"

export interface ResolvedAddress {
  readonly address: string
  readonly family: 4 | 6
}

/** A name that gave no address: `temporary` when asking again later may succeed (a timeout, a resolver fault). */
export class HostUnresolved extends Data.TaggedError("HostUnresolved")<{
  readonly hostname: string
  readonly temporary: boolean
  readonly reason: string
}> {}

/** Turns a host name into every address it stands for, so each one can be checked before use. */
export class HostResolver extends Context.Tag("nexora/HostResolver")<
  HostResolver,
  { readonly lookup: (hostname: string) => Effect.Effect<ReadonlyArray<ResolvedAddress>, HostUnresolved> }
>() {}
