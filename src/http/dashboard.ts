import { createBullBoard } from "@bull-board/api"
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter"
import { ExpressAdapter } from "@bull-board/express"
import type { Queue } from "bullmq"
import express, { type Express, type NextFunction, type Request, type Response } from "express"
import { constantTimeEqual } from "./constantTime.ts"

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

/** Basic Auth in front of every path under the dashboard: page, API and static files. */
export const basicAuth = (credentials: DashboardCredentials) => {
  const expected = `${credentials.user}:${credentials.pass}`
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? ""
    const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header)
    const given = match?.[1] ? Buffer.from(match[1], "base64").toString("utf8") : ""
    // Both parts are compared together, in constant time, whatever was sent.
    if (match === null || !constantTimeEqual(given, expected)) return challenge(res)
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
  const app = express()
  app.disable("x-powered-by")
  app.use(DASHBOARD_PATH, basicAuth(credentials), serverAdapter.getRouter())
  return app
}
