import SwaggerParser from "@apidevtools/swagger-parser"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Schema } from "effect"
import { alternatives, isRecord, type OpenApiDocument, OpenApiDocument as DocumentSchema, operations, resolveSchema } from "./support/openapi.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { startServer, TEST_TOKEN, type TestServer } from "./support/server.ts"

/** The routes of the outside contract (shared CONTRACT.md, "HTTP API"), as OpenAPI names them. */
const CONTRACT_ROUTES = [
  "POST /enqueue",
  "GET /jobs/{id}",
  "POST /jobs/{id}/retry",
  "GET /healthz",
  "GET /readyz",
  "GET /metrics"
]

/**
 * Contract routes no server answers yet. Each must still answer as an unknown path: the day one is
 * served, this test fails until it leaves the list, and from then on the document must describe it.
 */
const NOT_YET_SERVED = new Set<string>()

let redis: TestRedis
let server: TestServer
let raw: unknown
let document: OpenApiDocument
let unknownPathAnswer: string
const scratch = mkdtempSync(join(tmpdir(), "nexora-openapi-"))

/** Validates a document as a file, the way a user's tooling reads it. */
const validate = (name: string, value: unknown) => {
  const file = join(scratch, name)
  writeFileSync(file, JSON.stringify(value))
  return SwaggerParser.validate(file)
}

/** What the server answers to `route` with a bearer token and a placeholder id. */
const probe = async (route: string) => {
  const [method = "GET", path = "/"] = route.split(" ")
  const res = await server.fetch(path.replaceAll("{id}", "probe-0000"), {
    method,
    headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(method === "POST" ? { "content-type": "application/json" } : {}) },
    ...(method === "POST" ? { body: "{}" } : {})
  })
  return `${res.status} ${await res.text()}`
}

beforeAll(async () => {
  redis = await startRedis()
  server = await startServer({ REDIS_URL: redis.url, DEFAULT_TARGET_URL: "https://app.example.com/hook" })
  const res = await server.fetch("/openapi.json")
  expect(res.status).toBe(200)
  expect(res.headers.get("content-type")).toContain("application/json")
  raw = await res.json()
  document = Schema.decodeUnknownSync(DocumentSchema)(raw)
  unknownPathAnswer = await probe("GET /no-such-path")
})

afterAll(async () => {
  await server?.stop()
  await redis?.dispose()
  rmSync(scratch, { recursive: true, force: true })
})

describe("GET /openapi.json", () => {
  test("is a valid OpenAPI 3.1 document naming the product and its version", async () => {
    await validate("openapi.json", raw)
    expect(document.openapi).toStartWith("3.1")
    expect(document.info.title).toBe("Nexora Queue")
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(document.info.description ?? "").not.toBe("")
  })

  test("a broken document fails the validator (the check can fail)", async () => {
    // The same document with one answer of /enqueue stripped of its required description.
    const enqueue = document.paths["/enqueue"]?.["post"]
    expect(enqueue).toBeDefined()
    expect(isRecord(raw)).toBe(true)
    const broken = isRecord(raw) && isRecord(raw["paths"]) ? { ...raw, paths: { ...raw["paths"], "/enqueue": { post: { ...enqueue, responses: { "202": {} } } } } } : {}
    await expect(validate("broken.json", broken)).rejects.toThrow("must have required property 'description'")
  })

  test("describes every route of the contract that is served", async () => {
    const described = new Set(operations(document).map(({ route }) => route))
    for (const route of CONTRACT_ROUTES) {
      if (NOT_YET_SERVED.has(route)) {
        expect({ route, answer: await probe(route) }).toEqual({ route, answer: unknownPathAnswer })
      } else {
        expect({ route, described: described.has(route) }).toEqual({ route, described: true })
      }
    }
  })

  test("describes no route the server does not answer", async () => {
    for (const { route } of operations(document)) {
      expect({ route, answer: await probe(route) }).not.toEqual({ route, answer: unknownPathAnswer })
    }
  })

  test("every operation has a summary and a description", () => {
    for (const { route, operation } of operations(document)) {
      expect({ route, summary: (operation.summary ?? "").length > 0 }).toEqual({ route, summary: true })
      expect({ route, description: (operation.description ?? "").length > 0 }).toEqual({ route, description: true })
    }
  })

  test("every error answer has the contract's error body, with an example", () => {
    const isErrorBody = (schema: Readonly<Record<string, unknown>>) => {
      const properties = schema["properties"]
      return isRecord(properties) && isRecord(properties["error"]) && isRecord(properties["message"])
    }
    // The framework's own answer when a path, header or query parameter fails to decode (its 400).
    const isFrameworkDecodeError = (schema: Readonly<Record<string, unknown>>) =>
      isRecord(schema["properties"]) && isRecord(schema["properties"]["_tag"]) && schema["description"] === "The request did not match the expected schema"
    for (const { route, operation } of operations(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue
        const schemas = alternatives(document, response.content?.["application/json"]?.schema)
        expect({ route, status, described: schemas.length > 0 }).toEqual({ route, status, described: true })
        const others = schemas.filter((schema) => !isErrorBody(schema) && !(status === "400" && isFrameworkDecodeError(schema)))
        expect({ route, status, others }).toEqual({ route, status, others: [] })
        for (const body of schemas.filter(isErrorBody)) {
          const examples = body["examples"]
          expect({ route, status, example: Array.isArray(examples) && isRecord(examples[0]) && typeof examples[0]["error"] === "string" }).toEqual({
            route,
            status,
            example: true
          })
        }
      }
    }
  })

  test("POST /enqueue shows its body and its answers by example, behind the bearer scheme", () => {
    const enqueue = document.paths["/enqueue"]?.["post"]
    const request = resolveSchema(document, enqueue?.requestBody?.content["application/json"]?.schema)
    expect(request["examples"]).toEqual([
      {
        actions: [{ name: "CREATE_ORDER", params: { data: { total: 45 }, tenantId: "t_123" }, delayMs: 0 }],
        targetUrl: "https://myapp.com/api/process-queue"
      }
    ])
    for (const status of ["202", "200"]) {
      const answer = resolveSchema(document, enqueue?.responses[status]?.content?.["application/json"]?.schema)
      expect({ status, examples: Array.isArray(answer["examples"]) }).toEqual({ status, examples: true })
    }
    expect(Object.keys(enqueue?.responses ?? {}).sort()).toEqual(["200", "202", "400", "401", "403", "409", "413", "415", "503"])
    expect(enqueue?.security).toEqual([{ bearer: [] }])
    expect(document.components.securitySchemes?.["bearer"]).toMatchObject({ type: "http", scheme: "bearer" })
  })
})

describe("GET /docs", () => {
  test("renders the document with everything inline: no asset from another origin", async () => {
    const res = await server.fetch("/docs")
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toContain("text/html")
    const html = await res.text()
    expect(html).toContain("SwaggerUIBundle")
    expect(html).toContain("/enqueue")
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//i)
  })

  test("has its own content security policy: inline code only, nothing from elsewhere, never framed", async () => {
    const policy = (await server.fetch("/docs")).headers.get("content-security-policy") ?? ""
    expect(policy).toContain("default-src 'none'")
    expect(policy).toContain("frame-ancestors 'none'")
    expect(policy).toContain("connect-src 'self'")
    expect(policy).not.toMatch(/https?:|\*/)
    // Every other path keeps the strict default.
    expect((await server.fetch("/openapi.json")).headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'")
    expect((await server.fetch("/healthz")).headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'")
  })
})
