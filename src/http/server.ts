import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { HttpApiBuilder, HttpApp, HttpServer, type HttpRouter } from "@effect/platform"
import { Data, Effect, Layer, Option, Redacted, Schema } from "effect"
import { PayloadTooLarge, PayloadTooLargeError, ServiceUnavailable, ServiceUnavailableError } from "../domain/HttpErrors.ts"
import { BullQueue } from "../layers/BullQueue.ts"
import { Config } from "../services/Config.ts"
import { DeliveryWorker } from "../services/DeliveryWorker.ts"
import { Lifecycle } from "../services/Lifecycle.ts"
import { ApiLive } from "./ApiLive.ts"
import { DASHBOARD_PATH, makeDashboard } from "./dashboard.ts"
import { DOCS_CONTENT_SECURITY_POLICY, DOCS_PATH, DocsLive } from "./docs.ts"
import { makeEnqueueDirect } from "./enqueueDirect.ts"
import { readBody, serveWeb, type WebHandler } from "./nodeToWeb.ts"
import { API_HEADERS, apiResponses, DASHBOARD_HEADERS } from "./responseHeaders.ts"

/** The port is taken, or the host is not an address of this machine: the process stops with this one line. */
export class ListenFailed extends Data.TaggedError("ListenFailed")<{ readonly message: string }> {}

/** What a `ROLE=worker` process, or any process shutting down, still answers: nothing that takes work. */
const PROBE_PATHS = new Set(["/healthz", "/readyz", "/metrics"])

const shuttingDownBody = JSON.stringify(
  Schema.encodeSync(ServiceUnavailableError)(new ServiceUnavailable({ message: "the server is shutting down; retry on another instance" }))
)

const tooLargeBody = (limit: number) =>
  JSON.stringify(Schema.encodeSync(PayloadTooLargeError)(new PayloadTooLarge({ message: `the body is over ${limit} bytes` })))

/** The rest of the body is not read: answer and close the connection. */
const refuseTooLarge = (res: ServerResponse, body: string) =>
  res.writeHead(413, { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" }).end(body)

/**
 * `Expect: 100-continue`: a body announced over the limit is refused before the client sends it; any other
 * is invited and handled as usual. Without this the server would answer 100 first and then read to refuse.
 */
const continueWithin = (maxBodyBytes: number, listener: (req: IncomingMessage, res: ServerResponse) => void) => {
  const tooLarge = tooLargeBody(maxBodyBytes)
  return (req: IncomingMessage, res: ServerResponse) => {
    if (Number(req.headers["content-length"] ?? 0) > maxBodyBytes) {
      for (const [name, value] of Object.entries(API_HEADERS)) res.setHeader(name, value)
      return refuseTooLarge(res, tooLarge)
    }
    res.writeContinue()
    listener(req, res)
  }
}

const EMPTY_BODY = new Uint8Array(0)

type EnqueueDirect = Effect.Effect.Success<typeof makeEnqueueDirect>

/**
 * One `node:http` listener: bull-board (an Express app) under `/admin/queues`, `POST /enqueue` straight to
 * its program (`enqueueDirect.ts`), everything else to the Effect `HttpApi` as a web handler. Bodies are
 * read here, within `MAX_BODY_BYTES`.
 */
const makeListener = (options: {
  readonly api: WebHandler
  readonly enqueue: EnqueueDirect
  readonly dashboard: Option.Option<(req: IncomingMessage, res: ServerResponse) => void>
  readonly maxBodyBytes: number
  readonly workerOnly: boolean
  /** True from SIGTERM on: only probes are answered while deliveries drain. */
  readonly stopping: () => boolean
}) => {
  const tooLarge = tooLargeBody(options.maxBodyBytes)
  return async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/"
    const path = url.split("?", 1)[0] ?? "/"
    const isDashboard = path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`)
    for (const [name, value] of Object.entries(isDashboard ? DASHBOARD_HEADERS : API_HEADERS)) res.setHeader(name, value)
    if (path === DOCS_PATH) res.setHeader("content-security-policy", DOCS_CONTENT_SECURITY_POLICY)
    if (options.stopping() && !PROBE_PATHS.has(path)) {
      res.writeHead(503, { "content-type": "application/json", connection: "close" }).end(shuttingDownBody)
      return
    }
    if (isDashboard) {
      if (Option.isSome(options.dashboard) && !options.workerOnly) return options.dashboard.value(req, res)
    } else if (!options.workerOnly || PROBE_PATHS.has(path)) {
      try {
        const hasBody = req.method !== "GET" && req.method !== "HEAD"
        const body = hasBody ? await readBody(req, options.maxBodyBytes) : undefined
        if (body?._tag === "TooLarge") return refuseTooLarge(res, tooLarge)
        if (req.method === options.enqueue.method && path === options.enqueue.path) {
          const answer = await options.enqueue.serve({ headers: req.headers, body: body?.body ?? EMPTY_BODY })
          res.writeHead(answer.status, answer.headers).end(answer.body)
          return
        }
        return await serveWeb(options.api, req, res, body?.body)
      } catch {
        if (!res.headersSent) res.writeHead(400, { "content-type": "application/json" })
        res.end(JSON.stringify({ error: "BadRequest", message: "the request could not be read" }))
        return
      }
    }
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "NotFound", message: "no such endpoint" }))
  }
}

/** The `HttpApi` as a `(Request) => Promise<Response>`; needs what the handlers need (see `ApiLive`). */
export const makeApiWebHandler = Effect.gen(function* () {
  const app = yield* HttpApiBuilder.httpApp
  const runtime = yield* Effect.runtime<HttpRouter.HttpRouter.DefaultServices>()
  // Applied to the app itself: a middleware given to the handler runs after the answer is sent.
  return HttpApp.toWebHandlerRuntime(runtime)(apiResponses(app))
}).pipe(
  // One layer build, so the handlers and the docs register on the same router the app is made from.
  Effect.provide(
    DocsLive.pipe(
      Layer.provideMerge(ApiLive),
      Layer.provideMerge(Layer.mergeAll(HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer, HttpServer.layerContext))
    )
  )
)

export const HttpServerLive = Layer.scopedDiscard(
  Effect.gen(function* () {
    const config = yield* Config
    const lifecycle = yield* Lifecycle
    const { queue } = yield* BullQueue
    const worker = yield* Effect.serviceOption(DeliveryWorker)
    const api = yield* makeApiWebHandler
    const enqueue = yield* makeEnqueueDirect
    const dashboard = Option.map(config.admin, ({ user, pass }) => makeDashboard(queue, { user, pass: Redacted.value(pass) }))
    if (Option.isNone(dashboard) && config.role !== "worker") {
      yield* Effect.logWarning("the dashboard is off: set both ADMIN_USER and ADMIN_PASS to turn it on")
    }
    let stopping = false
    const listener = makeListener({
      api,
      enqueue,
      dashboard,
      maxBodyBytes: config.maxBodyBytes,
      workerOnly: config.role === "worker",
      stopping: () => stopping
    })
    const server = createServer(listener)
    server.on("checkContinue", continueWithin(config.maxBodyBytes, listener))
    yield* Effect.acquireRelease(
      Effect.async<void, ListenFailed>((resume) => {
        server.once("error", (error: NodeJS.ErrnoException) =>
          resume(Effect.fail(new ListenFailed({ message: `cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}` })))
        )
        server.listen(config.port, config.host, () => resume(Effect.void))
      }),
      // Shutdown, in the order a load balancer and the queue need: readiness 503 and no new work, then
      // deliveries drain (probes still answered), then the listener closes.
      () =>
        Effect.gen(function* () {
          yield* lifecycle.beginStopping
          stopping = true
          if (Option.isSome(worker)) yield* worker.value.stop
          // Interruptible inside the (uninterruptible) finalizer, or the timeout could not cut the wait short.
          yield* Effect.async<void>((resume) => {
            server.close(() => resume(Effect.void))
            server.closeIdleConnections()
          }).pipe(Effect.interruptible, Effect.timeout("3 seconds"), Effect.ignore)
          server.closeAllConnections()
        })
    )
    const address = server.address()
    yield* Effect.log("listening").pipe(
      Effect.annotateLogs({
        port: typeof address === "object" && address !== null ? address.port : config.port,
        role: config.role,
        dashboard: Option.isSome(dashboard) && config.role !== "worker" ? DASHBOARD_PATH : "off"
      })
    )
  })
)
