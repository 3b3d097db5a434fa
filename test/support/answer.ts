import { Schema } from "effect"
import { FieldIssue } from "../../src/domain/HttpErrors.ts"

/** Any JSON answer of the API, decoded loosely: the fields tests look at, typed; the rest kept as unknown. */
const Answer = Schema.Struct(
  {
    error: Schema.optional(Schema.String),
    message: Schema.optional(Schema.String),
    issues: Schema.optional(Schema.Array(FieldIssue)),
    queued: Schema.optional(Schema.Number),
    jobIds: Schema.optional(Schema.Array(Schema.String)),
    duplicate: Schema.optional(Schema.Boolean)
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)
export type Answer = typeof Answer.Type

export const readAnswer = async (res: Response): Promise<Answer> => Schema.decodeUnknownSync(Answer)(await res.json())

/** The job ids of a 202/200 answer; fails the test when there are none. */
export const jobIdsOf = async (res: Response): Promise<ReadonlyArray<string>> => {
  const { jobIds } = await readAnswer(res)
  if (jobIds === undefined) throw new Error(`no jobIds in the answer (status ${res.status})`)
  return jobIds
}
