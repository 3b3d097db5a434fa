import { Schema } from "effect"

/** The parts of an OpenAPI 3.1 document the tests read; the validator checks the rest. */
const Media = Schema.Struct({ schema: Schema.optional(Schema.Unknown) })
const Content = Schema.Record({ key: Schema.String, value: Media })

const Operation = Schema.Struct({
  summary: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  security: Schema.optional(Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  requestBody: Schema.optional(Schema.Struct({ content: Content })),
  responses: Schema.Record({
    key: Schema.String,
    value: Schema.Struct({ description: Schema.String, content: Schema.optional(Content) })
  })
})
export type Operation = typeof Operation.Type

export const OpenApiDocument = Schema.Struct({
  openapi: Schema.String,
  info: Schema.Struct({ title: Schema.String, version: Schema.String, description: Schema.optional(Schema.String) }),
  paths: Schema.Record({ key: Schema.String, value: Schema.Record({ key: Schema.String, value: Operation }) }),
  components: Schema.Struct({
    schemas: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
    securitySchemes: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
  })
})
export type OpenApiDocument = typeof OpenApiDocument.Type

export const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** A schema with its `$ref` to `#/components/schemas/…` followed. */
export const resolveSchema = (document: OpenApiDocument, schema: unknown): Readonly<Record<string, unknown>> => {
  if (!isRecord(schema)) return {}
  const ref = schema["$ref"]
  if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
    return resolveSchema(document, document.components.schemas[ref.slice("#/components/schemas/".length)])
  }
  return schema
}

/** The alternatives of a schema: each member of its `anyOf`/`oneOf`, or the schema itself. */
export const alternatives = (document: OpenApiDocument, schema: unknown): ReadonlyArray<Readonly<Record<string, unknown>>> => {
  const resolved = resolveSchema(document, schema)
  const members = resolved["anyOf"] ?? resolved["oneOf"]
  return Array.isArray(members) ? members.flatMap((member) => alternatives(document, member)) : [resolved]
}

/** Every operation as `METHOD /path`, with the operation. */
export const operations = (document: OpenApiDocument) =>
  Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, method, path, operation }))
  )
