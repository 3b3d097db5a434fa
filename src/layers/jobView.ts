import type { Job } from "bullmq"
import { Option, Schema } from "effect"
import type { JobPayload } from "../domain/Action.ts"
import { AttemptRecord, JobState, type JobView } from "../domain/JobView.ts"

const decodeAttempt = Schema.decodeUnknownOption(Schema.parseJson(AttemptRecord))
const isJobState = Schema.is(JobState)
const iso = (ms: number | undefined) => (ms === undefined || ms === null || ms <= 0 ? null : new Date(ms).toISOString())

/** A BullMQ job, its state and its log lines (one per failed attempt), as the API shows them. */
export const toJobView = (job: Job<JobPayload>, state: string, logs: ReadonlyArray<string>): JobView => {
  const history = logs.flatMap((line) => Option.toArray(decodeAttempt(line)))
  return {
    id: job.id ?? "",
    name: job.data.name,
    params: job.data.params,
    targetUrl: job.data.targetUrl,
    state: isJobState(state) ? state : "unknown",
    attemptsMade: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    enqueuedAt: new Date(job.data.enqueuedAt ?? job.timestamp).toISOString(),
    deliverAfter: state === "delayed" && job.delay > 0 ? iso(job.timestamp + job.delay) : null,
    processedAt: iso(job.processedOn),
    finishedAt: iso(job.finishedOn),
    // A job that was delivered in the end has no failure; its earlier failed attempts stay in `history`.
    failedReason: job.failedReason && state !== "completed" ? job.failedReason : null,
    lastAttempt: history.at(-1) ?? null,
    history
  }
}
