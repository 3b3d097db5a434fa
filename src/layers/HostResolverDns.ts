import { lookup } from "node:dns/promises"
import { Duration, Effect, Layer } from "effect"
import { HostResolver, HostUnresolved } from "../services/HostResolver.ts"

/** A name that takes longer is treated as a temporary failure rather than holding the request. */
export const LOOKUP_DEADLINE = Duration.seconds(2)

/** Answers that say the name has no address; anything else may pass on a later try. */
const DEFINITE = new Set(["ENOTFOUND", "ENODATA", "EAI_NONAME", "EAI_NODATA"])

const familyOf = (family: number): 4 | 6 => (family === 6 ? 6 : 4)

const codeOf = (error: unknown) =>
  typeof error === "object" && error !== null && "code" in error ? String(error.code) : "EUNKNOWN"

/** The system resolver (`getaddrinfo`, as connections use it), every address of the name. */
export const HostResolverDns = Layer.succeed(HostResolver, {
  lookup: (hostname) =>
    Effect.tryPromise({
      // One trailing dot names the same host; resolvers disagree on it, so it is removed here.
      try: () => lookup(hostname.replace(/\.$/, ""), { all: true, order: "verbatim" }),
      catch: (error) => {
        const code = codeOf(error)
        return new HostUnresolved({ hostname, temporary: !DEFINITE.has(code), reason: `lookup failed (${code})` })
      }
    }).pipe(
      Effect.timeoutFail({
        duration: LOOKUP_DEADLINE,
        onTimeout: () => new HostUnresolved({ hostname, temporary: true, reason: "lookup timed out" })
      }),
      Effect.map((answers) => answers.map(({ address, family }) => ({ address, family: familyOf(family) }))),
      Effect.withSpan("HostResolver.lookup")
    )
})
