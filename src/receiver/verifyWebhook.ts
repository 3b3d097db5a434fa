import { createHmac, timingSafeEqual } from "node:crypto"
import { type HeaderSource, readHeader } from "./headers.ts"

/** Which signature vouched for the webhook. */
export type SignatureScheme = "standard-webhooks" | "nexora-signature"

export type VerifyFailureReason =
  /** No secret was given (empty string or empty list): a configuration mistake, not the sender's. */
  | "missing_secret"
  /** The body is neither a string nor bytes. */
  | "invalid_body"
  /** Neither `webhook-signature` nor `nexora-signature` is present. */
  | "missing_signature"
  | "missing_id"
  | "missing_timestamp"
  /** `webhook-timestamp` is not Unix seconds. */
  | "invalid_timestamp"
  | "timestamp_too_old"
  | "timestamp_too_new"
  /** The signature header holds nothing of the expected form (length, alphabet, `v1,` prefix). */
  | "malformed_signature"
  /** Well formed, but made with none of the secrets, or over other bytes. */
  | "signature_mismatch"

export type VerifyResult =
  | {
      readonly ok: true
      /** `webhook-id`: the same on every attempt of one action; deduplicate on it. */
      readonly id: string
      /** `webhook-timestamp`: Unix seconds of this attempt. */
      readonly timestamp: number
      readonly scheme: SignatureScheme
      /** Index of the secret that matched: during a rotation, 0 for the new one. */
      readonly secretIndex: number
    }
  | { readonly ok: false; readonly reason: VerifyFailureReason; readonly message: string }

export interface VerifyOptions {
  /** How far `webhook-timestamp` may be from now, either way. Default 300 (5 minutes). */
  readonly toleranceSeconds?: number
  /** The clock, in milliseconds since the epoch (for tests). Default `Date.now`. */
  readonly now?: () => number
  /**
   * `auto` (default): Standard Webhooks when `webhook-signature` is present (it also signs the id and the
   * timestamp, so it resists replays), otherwise `nexora-signature`. Name one to accept only that one.
   */
  readonly scheme?: "auto" | SignatureScheme
}

export const DEFAULT_TOLERANCE_SECONDS = 5 * 60

const HEX_SIGNATURE = /^[0-9a-f]{64}$/
// A SHA-256 MAC is 32 bytes: 43 base64 characters and one "=" of padding.
const BASE64_SIGNATURE = /^[A-Za-z0-9+/]{43}=$/
const UNIX_SECONDS = /^\d{1,15}$/

const fail = (reason: VerifyFailureReason, message: string): VerifyResult => ({ ok: false, reason, message })

const hmac = (secret: string, parts: ReadonlyArray<string | Uint8Array>): Buffer => {
  const mac = createHmac("sha256", Buffer.from(secret, "utf8"))
  for (const part of parts) mac.update(part)
  return mac.digest()
}

/** The index of the first secret whose MAC equals one of `given` (all 32 bytes, compared in constant time), or -1. */
const matchSecret = (
  secrets: ReadonlyArray<string>,
  given: ReadonlyArray<Buffer>,
  parts: ReadonlyArray<string | Uint8Array>
): number => {
  for (const [index, secret] of secrets.entries()) {
    const expected = hmac(secret, parts)
    if (given.some((candidate) => timingSafeEqual(candidate, expected))) return index
  }
  return -1
}

/** `webhook-signature` entries: space-separated `v1,<base64>`; repeated headers may also be joined with ", ". */
const standardSignatures = (header: string): Array<Buffer> =>
  header
    .split(/,?\s+/)
    .filter((entry) => entry.startsWith("v1,") && BASE64_SIGNATURE.test(entry.slice(3)))
    .map((entry) => Buffer.from(entry.slice(3), "base64"))

const toBytes = (body: unknown): Uint8Array | string | undefined => {
  if (typeof body === "string" || body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  return undefined
}

/**
 * Checks that a webhook comes from Nexora Queue: the signature over the raw body (before any parsing),
 * compared in constant time, and `webhook-timestamp` within the tolerance. Never throws: every malformed
 * input is a failure with a reason.
 */
export const verifyWebhook = (
  rawBody: string | Uint8Array | ArrayBuffer,
  headers: HeaderSource,
  secretOrSecrets: string | undefined | ReadonlyArray<string | undefined>,
  options: VerifyOptions = {}
): VerifyResult => {
  // Unset entries are skipped, so `[process.env.WEBHOOK_SECRET, process.env.WEBHOOK_SECRET_PREVIOUS]` just works.
  const listed = Array.isArray(secretOrSecrets) ? secretOrSecrets : [secretOrSecrets]
  const secrets = listed.filter((secret): secret is string => typeof secret === "string" && secret.length > 0)
  if (secrets.length === 0) return fail("missing_secret", "no webhook secret is configured")
  const body = toBytes(rawBody)
  if (body === undefined) return fail("invalid_body", "the body must be the raw string or bytes, not parsed JSON")
  if (typeof headers !== "object" || headers === null) return fail("missing_signature", "no headers were given")

  const standard = readHeader(headers, "webhook-signature")
  const nexora = readHeader(headers, "nexora-signature")
  const scheme = options.scheme ?? "auto"
  const useStandard = scheme === "standard-webhooks" || (scheme === "auto" && standard !== undefined && standard !== "")
  const signature = useStandard ? standard : nexora
  if (signature === undefined || signature === "") {
    const wanted = scheme === "auto" ? "webhook-signature or nexora-signature" : useStandard ? "webhook-signature" : "nexora-signature"
    return fail("missing_signature", `no ${wanted} header`)
  }

  const id = readHeader(headers, "webhook-id")
  if (id === undefined || id === "") return fail("missing_id", "the webhook-id header is missing")
  const timestampHeader = readHeader(headers, "webhook-timestamp")
  if (timestampHeader === undefined || timestampHeader === "") {
    return fail("missing_timestamp", "the webhook-timestamp header is missing")
  }
  if (!UNIX_SECONDS.test(timestampHeader)) return fail("invalid_timestamp", "webhook-timestamp is not Unix seconds")
  const timestamp = Number(timestampHeader)
  const wantedTolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS
  // A NaN or negative tolerance would silently accept every timestamp or none: fall back to the default.
  const tolerance = Number.isFinite(wantedTolerance) && wantedTolerance >= 0 ? wantedTolerance : DEFAULT_TOLERANCE_SECONDS
  const now = Math.floor((options.now ?? Date.now)() / 1000)
  if (now - timestamp > tolerance) return fail("timestamp_too_old", `webhook-timestamp is more than ${tolerance} s old`)
  if (timestamp - now > tolerance) {
    return fail("timestamp_too_new", `webhook-timestamp is more than ${tolerance} s in the future`)
  }

  const given = useStandard
    ? standardSignatures(signature)
    : HEX_SIGNATURE.test(signature)
      ? [Buffer.from(signature, "hex")]
      : []
  if (given.length === 0) {
    return fail(
      "malformed_signature",
      useStandard
        ? "webhook-signature holds no v1,<base64 HMAC-SHA256> entry"
        : "nexora-signature is not 64 lowercase hex characters"
    )
  }
  const parts = useStandard ? [`${id}.${timestampHeader}.`, body] : [body]
  const secretIndex = matchSecret(secrets, given, parts)
  if (secretIndex === -1) return fail("signature_mismatch", "the signature does not match the body with any secret")
  return { ok: true, id, timestamp, scheme: useStandard ? "standard-webhooks" : "nexora-signature", secretIndex }
}
