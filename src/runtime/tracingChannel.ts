import diagnosticsChannel from "node:diagnostics_channel"

/**
 * Bun (up to at least 1.4.5) lacks Node's `TracingChannel#hasSubscribers` (oven-sh/bun#27805). ioredis reads
 * it before every command and, finding `undefined`, traces anyway: it stringifies every argument and wraps
 * every promise although nobody listens. This adds the getter as Node defines it (any of the five channels
 * has a subscriber), so tracing costs nothing until someone subscribes.
 */
const prototype: object = Object.getPrototypeOf(diagnosticsChannel.tracingChannel("nexora:probe"))
if (!("hasSubscribers" in prototype)) {
  Object.defineProperty(prototype, "hasSubscribers", {
    configurable: true,
    get(this: diagnosticsChannel.TracingChannel<object, object>) {
      return (
        this.start.hasSubscribers ||
        this.end.hasSubscribers ||
        this.asyncStart.hasSubscribers ||
        this.asyncEnd.hasSubscribers ||
        this.error.hasSubscribers
      )
    }
  })
}
