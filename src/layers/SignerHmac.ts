import { createHmac } from "node:crypto"
import { Effect, Layer, Option, Redacted } from "effect"
import { Config } from "../services/Config.ts"
import { type SignatureHeaders, type SignInput, Signer } from "../services/Signer.ts"

/**
 * HMAC-SHA256 with the UTF-8 bytes of each secret: `nexora-signature` is the hex MAC of the body with the
 * current secret; `webhook-signature` follows Standard Webhooks, one `v1,` entry per secret, current first.
 */
export const signPayload = (secrets: readonly [string, ...Array<string>], input: SignInput): SignatureHeaders => {
  const [current] = secrets
  const timestamp = String(input.timestamp)
  const signedContent = `${input.id}.${timestamp}.${input.body}`
  return {
    "nexora-signature": createHmac("sha256", current).update(input.body, "utf8").digest("hex"),
    "webhook-id": input.id,
    "webhook-timestamp": timestamp,
    "webhook-signature": secrets
      .map((secret) => `v1,${createHmac("sha256", secret).update(signedContent, "utf8").digest("base64")}`)
      .join(" ")
  }
}

export const SignerHmac = Layer.effect(
  Signer,
  Effect.gen(function* () {
    const config = yield* Config
    // The one place the secrets' bytes are needed; they stay in this closure.
    const secrets: [string, ...Array<string>] = [
      Redacted.value(config.webhookSecret),
      ...Option.toArray(config.webhookSecretPrevious).map(Redacted.value)
    ]
    return { sign: (input) => signPayload(secrets, input) }
  })
)
