import { HttpApiBuilder } from "@effect/platform"
import { Layer } from "effect"
import { Api } from "./Api.ts"
import { AuthorizationLive } from "./AuthorizationLive.ts"
import { EnqueueLive } from "./handlers/enqueue.ts"
import { JobsLive } from "./handlers/jobs.ts"
import { MetricsLive } from "./handlers/metrics.ts"
import { SystemLive } from "./handlers/system.ts"

/** The API with every group's handlers; needs Config, Queue, TargetPolicy, Lifecycle and Metrics. */
export const ApiLive = HttpApiBuilder.api(Api).pipe(Layer.provide([EnqueueLive, JobsLive, SystemLive, MetricsLive]), Layer.provide(AuthorizationLive))
