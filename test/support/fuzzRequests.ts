import fc from "fast-check"
import { MAX_DELAY_MS } from "./enqueueOracle.ts"
import { TEST_TOKEN } from "./server.ts"

/** One generated `POST /enqueue`: headers as sent, the body as bytes. */
export interface FuzzRequest {
  readonly headers: Record<string, string>
  readonly body: Uint8Array
  /** Whether the chosen `Authorization` and `Content-Type` are ones the contract accepts. */
  readonly authOk: boolean
  readonly contentTypeOk: boolean
}

const nested = (levels: number, leaf: unknown): unknown => {
  let value = leaf
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { k: value }
  return value
}

const goodAction = fc.record(
  {
    name: fc.oneof({ weight: 5, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) }, fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 })),
    params: fc.oneof({ weight: 5, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, fc.string({ unit: "binary", maxLength: 300 })),
    delayMs: fc.integer({ min: 0, max: MAX_DELAY_MS })
  },
  { requiredKeys: ["name"] }
)

/** An action with at least one thing a careless check might let through. */
const badAction = fc.oneof(
  fc.record({ name: fc.constantFrom("", "x".repeat(201), null, 7, [], {}) }),
  fc.record({ name: fc.constantFrom("x".repeat(200), " ", "\u0000", "__proto__"), delayMs: fc.constantFrom(-1, 0.5, MAX_DELAY_MS + 1, "10", null, true) }),
  fc.record({ name: fc.constant("A"), params: fc.integer({ min: 28, max: 70 }).map((levels) => nested(levels, 1)) }),
  // A typo'd or unknown field: refused, never silently dropped.
  fc.record({ name: fc.constant("A"), delay_ms: fc.integer(), extra: fc.string() }, { requiredKeys: ["name"] }).filter((a) => Object.keys(a).length > 1),
  fc.jsonValue({ maxDepth: 2 })
)

const action = fc.oneof({ weight: 15, arbitrary: goodAction }, { weight: 1, arbitrary: badAction })

const enqueueBody = (targets: ReadonlyArray<string>) =>
  fc.record(
    {
      actions: fc.oneof(
        { weight: 8, arbitrary: fc.array(action, { minLength: 0, maxLength: 12 }) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }
      ),
      targetUrl: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...targets) }, fc.jsonValue({ maxDepth: 1 }))
    },
    { requiredKeys: ["actions"] }
  )

/** Text that is almost JSON, or JSON of the wrong kind, or a classic of hostile input. */
const oddText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.integer({ min: 1, max: 5_000 }).map((n) => "[".repeat(n) + "]".repeat(n)),
  fc.constantFrom(
    "",
    "null",
    "{}",
    '{"actions":{}}',
    '{"actions":[null]}',
    '{"__proto__":{"actions":[{"name":"x"}]}}',
    '{"constructor":{"prototype":{"actions":[{"name":"x"}]}},"actions":[{"name":"A"}]}',
    '{"actions":[{"name":"A"}]}garbage',
    '\ufeff{"actions":[{"name":"A"}]}',
    '{"actions":[{"name":"A","params":1e400}]}'
  )
)

type Change = "whole" | "cut" | "flip"

const toBytes = (text: string) => new TextEncoder().encode(text)

const body = (targets: ReadonlyArray<string>) =>
  fc.oneof(
    // Bodies of the schema's shape, sometimes padded past the limit, cut short or with a byte flipped.
    {
      weight: 10,
      arbitrary: fc
        .tuple(
          enqueueBody(targets),
          fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.nat(3_000)),
          fc.oneof({ weight: 6, arbitrary: fc.constant<Change>("whole") }, fc.constantFrom<Change>("cut", "flip")),
          fc.nat()
        )
        .map(([value, padding, change, at]) => {
          const bytes = toBytes(JSON.stringify(value) + " ".repeat(padding))
          if (change === "cut") return bytes.subarray(0, at % Math.max(bytes.byteLength, 1))
          if (change === "flip" && bytes.byteLength > 0) bytes[at % bytes.byteLength] = (at >> 8) & 0xff
          return bytes
        })
    },
    { weight: 2, arbitrary: oddText.map(toBytes) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 3_000 }) }
  )

const authorization = fc.oneof(
  { weight: 16, arbitrary: fc.constant({ value: `Bearer ${TEST_TOKEN}`, ok: true }) },
  { weight: 1, arbitrary: fc.constant({ value: `bearer ${TEST_TOKEN}`, ok: true }) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(undefined, "", "Bearer", "Bearer ", `Bearer ${TEST_TOKEN}x`, `Bearer ${TEST_TOKEN.slice(1)}`, `Basic ${TEST_TOKEN}`, `Bearer  ${TEST_TOKEN}`)
      .map((value) => ({ value, ok: false }))
  },
  // Whitespace around a header value is not part of it (HTTP and `Headers` both drop it).
  { weight: 1, arbitrary: fc.constant({ value: `Bearer ${TEST_TOKEN} `, ok: true }) },
  { weight: 1, arbitrary: fc.string().map((value) => ({ value: `Bearer ${value}`, ok: value === TEST_TOKEN })) }
)

const contentType = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .constantFrom("application/json", "application/json; charset=utf-8", "Application/JSON", "application/vnd.api+json", "application/json;")
      .map((value) => ({ value, ok: true }))
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(undefined, "", "text/plain", "application/jsonx", "json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/json")
      .map((value) => ({ value, ok: false }))
  }
)

/** Generated requests: mostly near the schema (so validation is exercised deeply), some plain garbage. */
export const fuzzRequest = (targets: ReadonlyArray<string>): fc.Arbitrary<FuzzRequest> =>
  fc
    .record({
      body: body(targets),
      auth: authorization,
      type: contentType,
      idempotencyKey: fc.option(fc.string({ maxLength: 250 }), { freq: 4 }),
      extra: fc.option(fc.tuple(fc.constantFrom("x-fuzz", "x-forwarded-for", "cookie", "accept", "accept-encoding"), fc.string()), { freq: 3 })
    })
    .map(({ body, auth, type, idempotencyKey, extra }) => {
      const headers: Record<string, string> = {}
      if (auth.value !== undefined) headers.authorization = auth.value
      if (type.value !== undefined) headers["content-type"] = type.value
      if (idempotencyKey !== null) headers["idempotency-key"] = idempotencyKey
      if (extra !== null) headers[extra[0]] = extra[1]
      return { headers, body, authOk: auth.ok, contentTypeOk: type.ok }
    })
