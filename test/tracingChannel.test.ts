import { describe, expect, test } from "bun:test"
import diagnosticsChannel from "node:diagnostics_channel"
import "../src/runtime/tracingChannel.ts"

// ioredis traces every command unless `hasSubscribers` is exactly false, so it must behave as in Node.
describe("TracingChannel#hasSubscribers, as Node defines it", () => {
  test("false with no subscriber, true once one subscribes, false again after it leaves", () => {
    const channel = diagnosticsChannel.tracingChannel<object, object>("nexora:test:has-subscribers")
    expect(channel.hasSubscribers).toBe(false)
    const handlers = { asyncEnd: () => undefined }
    channel.subscribe(handlers)
    expect(channel.hasSubscribers).toBe(true)
    channel.unsubscribe(handlers)
    expect(channel.hasSubscribers).toBe(false)
  })
})
