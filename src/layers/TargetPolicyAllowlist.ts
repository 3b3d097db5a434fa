import { Effect, Layer } from "effect"
import { Config } from "../services/Config.ts"
import { TargetPolicy, TargetRejected } from "../services/TargetPolicy.ts"

const invalid = (reason: string) => Effect.fail(new TargetRejected({ kind: "Invalid", reason }))
const forbidden = (reason: string) => Effect.fail(new TargetRejected({ kind: "Forbidden", reason }))

/** `targetUrl` must be http(s) on an origin of `TARGET_URL_ALLOWLIST`. */
export const TargetPolicyAllowlist = Layer.effect(
  TargetPolicy,
  Effect.gen(function* () {
    const { defaultTargetUrl, targetUrlAllowlist } = yield* Config
    const allowed = new Set(targetUrlAllowlist)
    return {
      resolve: (requested) => {
        if (requested === undefined) return Effect.succeed(defaultTargetUrl)
        if (!URL.canParse(requested)) return invalid("targetUrl is not a URL")
        const url = new URL(requested)
        if (url.protocol !== "http:" && url.protocol !== "https:") return invalid("targetUrl must be http or https")
        if (url.username || url.password) return invalid("targetUrl must not carry credentials")
        if (!allowed.has(url.origin) && !allowed.has("*")) {
          return forbidden(`the origin ${url.origin} is not in TARGET_URL_ALLOWLIST`)
        }
        return Effect.succeed(url.href)
      }
    }
  })
)
