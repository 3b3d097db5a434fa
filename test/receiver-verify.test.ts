import { describe, expect, test } from "bun:test"
import { createHmac } from "node:crypto"
import fc from "fast-check"
import { Webhook } from "standardwebhooks"
import { signPayload } from "../src/layers/SignerHmac.ts"
import { type VerifyResult, verifyWebhook } from "nexora-queue/receiver"

const SECRET = "receiver-test-secret-0123456789"
const OLD_SECRET = "receiver-old-secret-9876543210"
const NOW_MS = 1_750_000_000_000
const NOW = NOW_MS / 1000
const clock = { now: () => NOW_MS }
const BODY = JSON.stringify({ name: "CREATE_ORDER", params: { customer: "Zoë Ångström", note: "größer 🍕", total: 45 } })
const ID = "0193a1f0-6f1e-7c3a-9a52-1c2d3e4f5a6b"

/** The headers the server sends, as a plain record. */
const signed = (options: { secrets?: [string, ...Array<string>]; timestamp?: number } = {}) => ({
  ...signPayload(options.secrets ?? [SECRET], { id: ID, timestamp: options.timestamp ?? NOW, body: BODY })
})

const reasonOf = (result: VerifyResult) => (result.ok ? "ok" : result.reason)

/** The server's own headers with the Standard Webhooks signature left out: only `nexora-signature` vouches. */
const nexoraOnly = (overrides: Record<string, string> = {}) => {
  const { "webhook-signature": _ignored, ...rest } = signed()
  return { ...rest, ...overrides }
}

describe("verifyWebhook accepts what the server signs", () => {
  test("Standard Webhooks headers, from a plain record or a Headers object", () => {
    const headers = signed()
    for (const source of [headers, new Headers(headers)]) {
      expect(verifyWebhook(BODY, source, SECRET, clock)).toEqual({
        ok: true,
        id: ID,
        timestamp: NOW,
        scheme: "standard-webhooks",
        secretIndex: 0
      })
    }
  })

  test("header names in any case, as node:http or a proxy may pass them", () => {
    const headers = Object.fromEntries(Object.entries(signed()).map(([k, v]) => [k.toUpperCase(), v]))
    expect(reasonOf(verifyWebhook(BODY, headers, SECRET, clock))).toBe("ok")
  })

  test("the raw body as a string, bytes or an ArrayBuffer", () => {
    const bytes = new TextEncoder().encode(BODY)
    for (const body of [BODY, bytes, Buffer.from(BODY), bytes.buffer]) {
      expect(reasonOf(verifyWebhook(body, signed(), SECRET, clock))).toBe("ok")
    }
  })

  test("nexora-signature alone, or when asked for by name", () => {
    expect(verifyWebhook(BODY, nexoraOnly(), SECRET, clock)).toMatchObject({ ok: true, scheme: "nexora-signature" })
    expect(verifyWebhook(BODY, signed(), SECRET, { ...clock, scheme: "nexora-signature" })).toMatchObject({
      ok: true,
      scheme: "nexora-signature"
    })
  })
})

describe("verifyWebhook rejects tampering", () => {
  test("a changed body, id or timestamp", () => {
    const headers = signed()
    expect(reasonOf(verifyWebhook(BODY.replace("45", "46"), headers, SECRET, clock))).toBe("signature_mismatch")
    expect(reasonOf(verifyWebhook(BODY, { ...headers, "webhook-id": "other" }, SECRET, clock))).toBe("signature_mismatch")
    expect(reasonOf(verifyWebhook(BODY, { ...headers, "webhook-timestamp": String(NOW + 1) }, SECRET, clock))).toBe(
      "signature_mismatch"
    )
    expect(reasonOf(verifyWebhook(BODY.replace("45", "46"), nexoraOnly(), SECRET, clock))).toBe("signature_mismatch")
  })

  test("another secret", () => {
    expect(reasonOf(verifyWebhook(BODY, signed(), "some-other-secret-value", clock))).toBe("signature_mismatch")
    expect(reasonOf(verifyWebhook(BODY, nexoraOnly(), "some-other-secret-value", clock))).toBe("signature_mismatch")
  })

  test("a bad webhook-signature does not fall back to nexora-signature", () => {
    const headers = { ...signed(), "webhook-signature": `v1,${Buffer.alloc(32).toString("base64")}` }
    expect(reasonOf(verifyWebhook(BODY, headers, SECRET, clock))).toBe("signature_mismatch")
  })

  test("parsed JSON instead of the raw body", () => {
    expect(reasonOf(verifyWebhook(JSON.parse(BODY), signed(), SECRET, clock))).toBe("invalid_body")
  })
})

describe("verifyWebhook on malformed headers", () => {
  test("empty headers", () => {
    for (const headers of [{}, new Headers()]) {
      expect(reasonOf(verifyWebhook(BODY, headers, SECRET, clock))).toBe("missing_signature")
    }
    expect(reasonOf(verifyWebhook(BODY, { "webhook-signature": "", "nexora-signature": "" }, SECRET, clock))).toBe(
      "missing_signature"
    )
    expect(reasonOf(verifyWebhook(BODY, signed(), SECRET, { ...clock, scheme: "nexora-signature" }))).toBe("ok")
    expect(reasonOf(verifyWebhook(BODY, nexoraOnly(), SECRET, { ...clock, scheme: "standard-webhooks" }))).toBe(
      "missing_signature"
    )
  })

  test("missing or empty id and timestamp", () => {
    const { "webhook-id": _id, ...noId } = signed()
    const { "webhook-timestamp": _ts, ...noTimestamp } = signed()
    expect(reasonOf(verifyWebhook(BODY, noId, SECRET, clock))).toBe("missing_id")
    expect(reasonOf(verifyWebhook(BODY, { ...signed(), "webhook-id": "" }, SECRET, clock))).toBe("missing_id")
    expect(reasonOf(verifyWebhook(BODY, noTimestamp, SECRET, clock))).toBe("missing_timestamp")
  })

  test("a timestamp that is not Unix seconds", () => {
    for (const timestamp of ["abc", "1.5", "-5", ` ${NOW}`, `${NOW}000000000000`, "1e9", String(NOW_MS).padStart(16, "9")]) {
      expect(reasonOf(verifyWebhook(BODY, { ...signed(), "webhook-timestamp": timestamp }, SECRET, clock))).toBe(
        "invalid_timestamp"
      )
    }
  })

  const hex = signed()["nexora-signature"]
  const macBytes = Buffer.from(hex, "hex")
  test.each([
    ["too short", hex.slice(0, 62)],
    ["too long", `${hex}00`],
    ["not hex", `zz${hex.slice(2)}`],
    ["uppercase", hex.toUpperCase()],
    ["base64 where hex is expected", macBytes.toString("base64")],
    ["several signatures", `${hex} ${hex}`],
    ["two headers joined", `${hex}, ${hex}`],
    ["prefixed like Standard Webhooks", `v1,${hex}`],
    ["with spaces around", ` ${hex} `]
  ])("nexora-signature %s", (_case, value) => {
    const result = verifyWebhook(BODY, nexoraOnly({ "nexora-signature": value }), SECRET, clock)
    expect(reasonOf(result)).toBe("malformed_signature")
  })

  const entry = signed()["webhook-signature"]
  const base64 = entry.slice(3)
  test.each([
    ["without a prefix", base64],
    ["of another version", `v2,${base64}`],
    ["with an empty value", "v1,"],
    ["cut short", `v1,${base64.slice(0, 40)}`],
    ["without padding", `v1,${base64.replace(/=$/, "")}`],
    ["hex where base64 is expected", `v1,${macBytes.toString("hex")}`],
    ["base64url", `v1,${macBytes.toString("base64url")}`],
    ["of other characters", `v1,${"!".repeat(43)}=`]
  ])("webhook-signature %s", (_case, value) => {
    const result = verifyWebhook(BODY, { ...signed(), "webhook-signature": value }, SECRET, clock)
    expect(reasonOf(result)).toBe("malformed_signature")
  })

  test("several webhook-signature entries: one that matches is enough", () => {
    const wrong = `v1,${Buffer.alloc(32, 7).toString("base64")}`
    for (const value of [`${wrong} ${entry}`, `junk v2,abc ${entry}`, `${entry} ${wrong}`, `${wrong},  ${entry}`]) {
      expect(reasonOf(verifyWebhook(BODY, { ...signed(), "webhook-signature": value }, SECRET, clock))).toBe("ok")
    }
    const headers = new Headers(signed())
    headers.set("webhook-signature", wrong)
    headers.append("webhook-signature", entry)
    expect(reasonOf(verifyWebhook(BODY, headers, SECRET, clock))).toBe("ok")
    expect(reasonOf(verifyWebhook(BODY, { ...signed(), "webhook-signature": `${wrong} ${wrong}` }, SECRET, clock))).toBe(
      "signature_mismatch"
    )
  })

  test("repeated headers as node:http gives them, in an array", () => {
    const headers = { ...signed(), "webhook-signature": [`v1,${Buffer.alloc(32).toString("base64")}`, entry] }
    expect(reasonOf(verifyWebhook(BODY, headers, SECRET, clock))).toBe("ok")
  })

  test("never throws, whatever the headers hold", () => {
    const value = fc.oneof(fc.string(), fc.constantFrom(entry, hex, String(NOW), ID, "v1,", " "))
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("webhook-id", "webhook-timestamp", "webhook-signature", "nexora-signature", "x"), value),
        fc.string(),
        (headers, body) => {
          const result = verifyWebhook(body, headers, SECRET, clock)
          expect(typeof result.ok).toBe("boolean")
        }
      ),
      { numRuns: 500 }
    )
  })
})

describe("verifyWebhook's timestamp tolerance", () => {
  const at = (offsetSeconds: number, toleranceSeconds?: number) =>
    reasonOf(
      verifyWebhook(BODY, signed({ timestamp: NOW + offsetSeconds }), SECRET, {
        ...clock,
        ...(toleranceSeconds === undefined ? {} : { toleranceSeconds })
      })
    )

  test("five minutes either way by default", () => {
    expect(at(-300)).toBe("ok")
    expect(at(300)).toBe("ok")
    expect(at(-301)).toBe("timestamp_too_old")
    expect(at(301)).toBe("timestamp_too_new")
  })

  test("a tolerance of one's own", () => {
    expect(at(-30, 30)).toBe("ok")
    expect(at(-31, 30)).toBe("timestamp_too_old")
    expect(at(31, 30)).toBe("timestamp_too_new")
    expect(at(-301, Number.NaN)).toBe("timestamp_too_old")
  })

  test("applies to nexora-signature too", () => {
    const headers = { ...nexoraOnly(), "webhook-timestamp": String(NOW - 3600) }
    expect(reasonOf(verifyWebhook(BODY, headers, SECRET, clock))).toBe("timestamp_too_old")
  })

  test("uses the real clock when none is given", () => {
    const now = Math.floor(Date.now() / 1000)
    expect(reasonOf(verifyWebhook(BODY, signed({ timestamp: now }), SECRET))).toBe("ok")
    expect(reasonOf(verifyWebhook(BODY, signed({ timestamp: now - 3600 }), SECRET))).toBe("timestamp_too_old")
  })
})

describe("verifyWebhook during a secret rotation", () => {
  // The server signs with WEBHOOK_SECRET=new and WEBHOOK_SECRET_PREVIOUS=old.
  const rotating = signed({ secrets: [SECRET, OLD_SECRET] })

  test("a receiver that knows either secret accepts", () => {
    expect(verifyWebhook(BODY, rotating, OLD_SECRET, clock)).toMatchObject({ ok: true, secretIndex: 0 })
    expect(verifyWebhook(BODY, rotating, SECRET, clock)).toMatchObject({ ok: true, secretIndex: 0 })
    expect(verifyWebhook(BODY, rotating, [OLD_SECRET, SECRET], clock)).toMatchObject({ ok: true, secretIndex: 0 })
  })

  test("a receiver that switched first accepts a server that has not", () => {
    const beforeRotation = signed({ secrets: [OLD_SECRET] })
    expect(verifyWebhook(BODY, beforeRotation, [SECRET, OLD_SECRET], clock)).toMatchObject({ ok: true, secretIndex: 1 })
    expect(verifyWebhook(BODY, beforeRotation, [SECRET, undefined, OLD_SECRET], clock)).toMatchObject({ ok: true })
    expect(reasonOf(verifyWebhook(BODY, beforeRotation, SECRET, clock))).toBe("signature_mismatch")
  })

  test("nexora-signature carries the current secret only", () => {
    const headers = { ...rotating, "webhook-signature": "" }
    expect(verifyWebhook(BODY, headers, [OLD_SECRET, SECRET], clock)).toMatchObject({ ok: true, secretIndex: 1 })
    expect(reasonOf(verifyWebhook(BODY, headers, OLD_SECRET, clock))).toBe("signature_mismatch")
  })

  test("no secret at all is a configuration failure, not an acceptance", () => {
    for (const secrets of [undefined, "", [], [undefined, ""]]) {
      expect(reasonOf(verifyWebhook(BODY, rotating, secrets, clock))).toBe("missing_secret")
    }
  })
})

describe("verifyWebhook agrees with the standardwebhooks package", () => {
  // The package base64-decodes a `whsec_` secret; ours are the UTF-8 bytes of the value, so hand it those bytes.
  const standardFor = (secret: string) => new Webhook(`whsec_${Buffer.from(secret, "utf8").toString("base64")}`)
  const nowSeconds = () => Math.floor(Date.now() / 1000)

  test("the package verifies what the server signs, and the kit verifies what the package signs", () => {
    const timestamp = nowSeconds()
    const headers = signed({ timestamp })
    expect(standardFor(SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY))
    expect(standardFor(OLD_SECRET).verify(BODY, signed({ secrets: [SECRET, OLD_SECRET], timestamp }))).toEqual(
      JSON.parse(BODY)
    )
    const signature = standardFor(SECRET).sign(ID, new Date(timestamp * 1000), BODY)
    const theirs = { "webhook-id": ID, "webhook-timestamp": String(timestamp), "webhook-signature": signature }
    expect(verifyWebhook(BODY, theirs, SECRET)).toMatchObject({ ok: true, scheme: "standard-webhooks" })
  })

  test("for any secret, id and body, both accept the same signatures and reject the same tampering", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" }),
        fc.string({ minLength: 1, maxLength: 40 }).filter((id) => !/\s/.test(id)),
        fc.string({ maxLength: 300, unit: "grapheme" }),
        (secret, id, body) => {
          const timestamp = nowSeconds()
          const standard = standardFor(secret)
          const headers = { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": standard.sign(id, new Date(timestamp * 1000), body) }
          expect(headers["webhook-signature"]).toBe(signPayload([secret], { id, timestamp, body })["webhook-signature"])
          expect(reasonOf(verifyWebhook(body, headers, secret))).toBe("ok")
          expect(() => standard.verify(body, headers, { jsonParse: false })).not.toThrow()
          const tampered = `${body} `
          expect(reasonOf(verifyWebhook(tampered, headers, secret))).toBe("signature_mismatch")
          expect(() => standard.verify(tampered, headers, { jsonParse: false })).toThrow()
        }
      ),
      { numRuns: 200 }
    )
  })

  test("nexora-signature is the hex HMAC-SHA256 of the body with the secret's UTF-8 bytes", () => {
    const secret = "clé-secrète-ünïcode-🔑-0123"
    const expected = createHmac("sha256", Buffer.from(secret, "utf8")).update(Buffer.from(BODY, "utf8")).digest("hex")
    const headers = { ...signPayload([secret], { id: ID, timestamp: NOW, body: BODY }) }
    expect(headers["nexora-signature"]).toBe(expected)
    expect(verifyWebhook(BODY, { ...headers, "webhook-signature": "" }, secret, clock)).toMatchObject({
      ok: true,
      scheme: "nexora-signature"
    })
  })
})
