import { Schema } from "effect"

/** A line of the JSON log (Effect's `Logger.json`): what tests look at, typed. */
const LogLine = Schema.parseJson(
  Schema.Struct({
    message: Schema.Unknown,
    logLevel: Schema.String,
    annotations: Schema.Record({ key: Schema.String, value: Schema.Unknown })
  })
)
export type LogLine = typeof LogLine.Type

/** Every JSON line of a process's output; anything else (there should be nothing else) is skipped. */
export const logLines = (output: string): Array<LogLine> =>
  output.split("\n").flatMap((line) => {
    const decoded = Schema.decodeUnknownEither(LogLine)(line)
    return decoded._tag === "Right" ? [decoded.right] : []
  })

/** The one-line-per-attempt records of deliveries. */
export const attemptLines = (output: string): Array<LogLine> =>
  logLines(output).filter((line) => line.message === "delivery attempt")
