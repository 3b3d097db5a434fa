import type { IncomingMessage, ServerResponse } from "node:http"

export type WebHandler = (request: Request) => Promise<Response>

/** Why a body was not read: `TooLarge` is answered 413 before anything reaches the API. */
export type BodyResult = { readonly _tag: "Read"; readonly body: Buffer } | { readonly _tag: "TooLarge" }

/**
 * Reads a body up to `limit` bytes. A `Content-Length` over the limit is refused before reading, and a
 * lying or absent one is caught while reading, so the limit holds whatever the client declares.
 */
export const readBody = (req: IncomingMessage, limit: number): Promise<BodyResult> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0)
    if (declared > limit) return resolve({ _tag: "TooLarge" })
    const chunks: Array<Buffer> = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > limit) {
        req.off("data", onData)
        req.pause()
        return resolve({ _tag: "TooLarge" })
      }
      chunks.push(chunk)
    }
    req.on("data", onData)
    req.once("end", () => resolve({ _tag: "Read", body: chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks) }))
    req.once("error", reject)
  })

const toWebHeaders = (req: IncomingMessage): Headers => {
  const headers = new Headers()
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] ?? "", raw[i + 1] ?? "")
  return headers
}

/** Hands a `node:http` request to a web handler and writes its answer back. */
export const serveWeb = async (
  handler: WebHandler,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer | undefined
): Promise<void> => {
  const controller = new AbortController()
  res.once("close", () => {
    if (!res.writableFinished) controller.abort()
  })
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
    method: req.method ?? "GET",
    headers: toWebHeaders(req),
    signal: controller.signal,
    ...(body !== undefined ? { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) } : {})
  })
  const response = await handler(request)
  const headers: Record<string, string | Array<string>> = {}
  response.headers.forEach((value, key) => {
    headers[key] = key === "set-cookie" ? response.headers.getSetCookie() : value
  })
  res.writeHead(response.status, headers)
  res.end(req.method === "HEAD" ? undefined : Buffer.from(await response.arrayBuffer()))
}
