import { ParseResult } from "effect"
import type { FieldIssue } from "../domain/HttpErrors.ts"

/** Enough to fix a request by: a body of a thousand bad actions does not need a thousand lines back. */
export const MAX_ISSUES = 20
/** Schema messages quote the value they refused; a long one is cut so an answer never echoes a body back. */
export const MAX_ISSUE_MESSAGE_LENGTH = 300

const cut = (message: string) =>
  message.length > MAX_ISSUE_MESSAGE_LENGTH ? `${message.slice(0, MAX_ISSUE_MESSAGE_LENGTH - 1)}…` : message

/** A decoding failure as the contract's per-field `issues`, bounded in number and length. */
export const fieldIssues = (error: ParseResult.ParseError): Array<FieldIssue> =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .slice(0, MAX_ISSUES)
    .map((issue) => ({ path: issue.path.join("."), message: cut(issue.message) }))
