import http from "node:http"

export interface Answer {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

/**
 * A request sent exactly as written (`path` is not normalised, unlike `fetch`), from a chosen local address
 * on 127.0.0.0/8, so a test can play several clients.
 */
export const request = (
  port: number,
  path: string,
  options: { readonly from?: string; readonly headers?: Record<string, string>; readonly method?: string } = {}
): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: "127.0.0.1", port, path, method: options.method ?? "GET", localAddress: options.from ?? "127.0.0.1", headers: options.headers, agent: false },
      (response) => {
        let body = ""
        response.setEncoding("latin1")
        response.on("data", (chunk: string) => (body += chunk))
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
      }
    )
    outgoing.on("error", reject)
    outgoing.end()
  })

export const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}` })
