import { Effect, Layer, Option } from "effect"
import { isIpLiteral, whyNotPublic } from "../domain/publicAddress.ts"
import { Config } from "../services/Config.ts"
import { HostResolver, type ResolvedAddress } from "../services/HostResolver.ts"
import { TargetPolicy, TargetRejected, type TargetRoute } from "../services/TargetPolicy.ts"

/** Longer than any real endpoint; keeps an absurd value out of Redis and the logs. */
export const MAX_TARGET_URL_LENGTH = 2048

const rejected = (kind: TargetRejected["kind"], reason: string) => new TargetRejected({ kind, reason })

const parseTarget = (raw: string): Effect.Effect<URL, TargetRejected> => {
  if (raw.length > MAX_TARGET_URL_LENGTH) return Effect.fail(rejected("Invalid", `targetUrl must be at most ${MAX_TARGET_URL_LENGTH} characters`))
  if (!URL.canParse(raw)) return Effect.fail(rejected("Invalid", "targetUrl is not a URL"))
  const url = new URL(raw)
  if (url.protocol !== "http:" && url.protocol !== "https:") return Effect.fail(rejected("Invalid", "targetUrl must be http or https"))
  if (url.username || url.password) return Effect.fail(rejected("Invalid", "targetUrl must not carry credentials"))
  return Effect.succeed(url)
}

/** A URL's IP hostname as the address it names (IPv6 comes in brackets). */
const literalAddress = (host: string): ResolvedAddress =>
  host.startsWith("[") ? { address: host.slice(1, -1), family: 6 } : { address: host, family: 4 }

/**
 * `targetUrl` must be http(s) on an origin of `TARGET_URL_ALLOWLIST` (the default target's origin always
 * counts as listed). With `*`, any other origin is allowed when every address its host is or resolves to
 * is public; the check is made again at each delivery, on the addresses then connected to.
 */
export const TargetPolicyAllowlist = Layer.effect(
  TargetPolicy,
  Effect.gen(function* () {
    const { defaultTargetUrl, targetUrlAllowlist } = yield* Config
    const resolver = yield* HostResolver
    const listed = new Set([...targetUrlAllowlist.filter((origin) => origin !== "*"), new URL(defaultTargetUrl).origin])
    const anyPublic = targetUrlAllowlist.includes("*")

    const publicAddresses = (host: string) =>
      Effect.gen(function* () {
        const addresses = isIpLiteral(host)
          ? [literalAddress(host)]
          : yield* resolver.lookup(host).pipe(
              Effect.mapError((error) =>
                error.temporary
                  ? rejected("Unavailable", `the targetUrl host ${host} could not be resolved right now (${error.reason})`)
                  : rejected("Forbidden", `the targetUrl host ${host} does not resolve`)
              )
            )
        if (addresses.length === 0) return yield* rejected("Forbidden", `the targetUrl host ${host} has no address`)
        for (const { address } of addresses) {
          const why = whyNotPublic(address)
          if (Option.isSome(why)) {
            const what = isIpLiteral(host) ? `is not a public address` : `resolves to ${address}, not a public address`
            return yield* rejected(
              "Forbidden",
              `the targetUrl host ${host} ${what} (${why.value}); only origins listed in TARGET_URL_ALLOWLIST may reach it`
            )
          }
        }
        return addresses
      })

    const routeOf = (url: URL): Effect.Effect<TargetRoute, TargetRejected> => {
      if (listed.has(url.origin)) return Effect.succeed({ _tag: "Listed" })
      if (!anyPublic) return Effect.fail(rejected("Forbidden", `the origin ${url.origin} is not in TARGET_URL_ALLOWLIST`))
      return Effect.map(publicAddresses(url.hostname), (addresses) => ({ _tag: "Public", addresses }))
    }

    return {
      // No span of its own: it runs before every delivery, and a span costs several times the check.
      route: (raw) => Effect.flatMap(parseTarget(raw), routeOf),
      resolve: (requested) =>
        requested === undefined
          ? Effect.succeed(defaultTargetUrl)
          : Effect.flatMap(parseTarget(requested), (url) => Effect.as(routeOf(url), url.href))
    }
  })
)
