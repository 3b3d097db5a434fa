import { createHmac } from "node:crypto"
import { describe, expect, test } from "bun:test"
import { Webhook } from "standardwebhooks"
import { signPayload } from "../src/layers/SignerHmac.ts"

const secret = "whsec-not-base64: ünïcode and spaces"
const previous = "the-previous-secret-0123456789"
const body = JSON.stringify({ name: "CREATE_ORDER", params: { note: "café ☕", total: 45 } })
const id = "0193a1f0-6f1e-7c3a-9a52-1c2d3e4f5a6b"
const timestamp = Math.floor(Date.now() / 1000)

/** The standardwebhooks package takes a base64 key: give it the UTF-8 bytes of our secret. */
const verifierFor = (key: string) => new Webhook(Buffer.from(key, "utf8").toString("base64"))

describe("signPayload", () => {
  const headers = signPayload([secret], { id, timestamp, body })

  test("nexora-signature is the lowercase hex HMAC-SHA256 of the body", () => {
    expect(headers["nexora-signature"]).toBe(createHmac("sha256", Buffer.from(secret, "utf8")).update(body).digest("hex"))
    expect(headers["nexora-signature"]).toMatch(/^[0-9a-f]{64}$/)
  })

  test("the Standard Webhooks headers verify with the standardwebhooks package", () => {
    expect(headers["webhook-id"]).toBe(id)
    expect(headers["webhook-timestamp"]).toBe(String(timestamp))
    expect(verifierFor(secret).verify(body, { ...headers })).toEqual(JSON.parse(body))
  })

  test("a changed body, id or timestamp does not verify", () => {
    expect(() => verifierFor(secret).verify(body.replace("45", "46"), { ...headers })).toThrow()
    expect(() => verifierFor(secret).verify(body, { ...headers, "webhook-id": "other" })).toThrow()
    expect(() => verifierFor("another secret entirely").verify(body, { ...headers })).toThrow()
  })

  test("during a rotation both secrets sign, current first, and each verifies", () => {
    const rotated = signPayload([secret, previous], { id, timestamp, body })
    const entries = rotated["webhook-signature"].split(" ")
    expect(entries).toHaveLength(2)
    expect(entries.every((e) => e.startsWith("v1,"))).toBe(true)
    expect(entries[0]).toBe(headers["webhook-signature"])
    expect(verifierFor(secret).verify(body, { ...rotated })).toBeTruthy()
    expect(verifierFor(previous).verify(body, { ...rotated })).toBeTruthy()
    expect(rotated["nexora-signature"]).toBe(headers["nexora-signature"])
  })
})
