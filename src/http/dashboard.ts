import { createBullBoard } from "@bull-board/api"
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter"
import { ExpressAdapter } from "@bull-board/express"
import type { Queue } from "bullmq"
import express, { type Express, type NextFunction, type Request, type Response } from "express"
import { constantTimeEqual } from "./constantTime.ts"
import { clientKey, type LoginThrottle, makeLoginThrottle } from "./loginThrottle.ts"

export const DASHBOARD_PATH = "/admin/queues"

export interface DashboardCredentials {
  readonly user: string
  readonly pass: string
}

const challenge = (res: Response) =>
  res
    .status(401)
    .set("WWW-Authenticate", 'Basic realm="Nexora Queue", charset="UTF-8"')
    .json({ error: "Unauthorized", message: "the dashboard needs a user name and password" })

const tooMany = (res: Response, waitMs: number) => {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000))
  return res
    .status(429)
    .set("Retry-After", String(seconds))
    .json({ error: "TooManyRequests", message: `too many wrong passwords from this address; try again in ${seconds} s` })
}

/**
 * Basic Auth in front of every path under the dashboard: page, API and static files. An address that has
 * sent too many wrong passwords is answered 429, before its password is even looked at, for a while.
 */
export const basicAuth = (credentials: DashboardCredentials, throttle: LoginThrottle = makeLoginThrottle()) => {
  const expected = `${credentials.user}:${credentials.pass}`
  return (req: Request, res: Response, next: NextFunction) => {
    const who = clientKey(req.socket.remoteAddress)
    const waitMs = throttle.waitMs(who)
    if (waitMs > 0) return tooMany(res, waitMs)
    const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? "")
    // No credentials at all is how a browser asks for the login prompt: not a guess.
    if (match === null) return challenge(res)
    const given = Buffer.from(match[1] ?? "", "base64").toString("utf8")
    // Both parts are compared together, in constant time, whatever was sent.
    if (!constantTimeEqual(given, expected)) {
      throttle.failed(who)
      return challenge(res)
    }
    next()
  }
}

/** bull-board through its Express adapter, behind Basic Auth. */
export const makeDashboard = (queue: Queue, credentials: DashboardCredentials): Express => {
  const serverAdapter = new ExpressAdapter()
  serverAdapter.setBasePath(DASHBOARD_PATH)
  createBullBoard({
    queues: [new BullMQAdapter(queue)],
    serverAdapter,
    options: { uiConfig: { boardTitle: "Nexora Queue" } }
  })
  // The adapter's router is an Express app of its own, which would announce itself too.
  const board: Express = serverAdapter.getRouter()
  board.disable("x-powered-by")
  const app = express()
  app.disable("x-powered-by")
  app.use(DASHBOARD_PATH, basicAuth(credentials), board)
  return app
}
