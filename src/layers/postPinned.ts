import http from "node:http"
import https from "node:https"
import type { LookupFunction } from "node:net"
import { classifyResponse, type DeliveryOutcome, networkFailure } from "../domain/DeliveryOutcome.ts"
import type { DeliveryRequest } from "../services/Dispatcher.ts"
import type { ResolvedAddress } from "../services/HostResolver.ts"
import { describeNetworkError, readCappedBody } from "./deliveryIo.ts"

/**
 * A `lookup` that answers only the addresses already checked, so the connection goes to one of them and
 * a second resolution (which a rebinding name would answer differently) never happens.
 */
const pinnedLookup =
  (addresses: ReadonlyArray<ResolvedAddress>): LookupFunction =>
  (hostname, options, callback) => {
    const usable = addresses.filter((a) => options.family !== 4 && options.family !== 6 ? true : a.family === options.family)
    const first = usable[0]
    if (first === undefined) {
      return callback(Object.assign(new Error(`no checked address of ${hostname} fits`), { code: "ENOTFOUND" }), "")
    }
    if (options.all) return callback(null, usable.map(({ address, family }) => ({ address, family })))
    callback(null, first.address, first.family)
  }

/**
 * Connections of their own, so every pooled socket was opened through `pinnedLookup` to an address that
 * was checked public; reusing one for a later delivery to the same host is reusing a checked address.
 */
const httpAgent = new http.Agent({ keepAlive: true })
const httpsAgent = new https.Agent({ keepAlive: true })

/**
 * One POST over `node:http(s)` to a target allowed only because its addresses are public: the connection is
 * made to those checked addresses, while the Host header, SNI and certificate check still use the name.
 * Redirects are not followed (`node:http` never does).
 */
export const postPinned = (
  request: DeliveryRequest,
  addresses: ReadonlyArray<ResolvedAddress>,
  timeoutMs: number,
  interrupted?: AbortSignal
): Promise<DeliveryOutcome> => {
  const started = performance.now()
  const url = new URL(request.url)
  let timedOut = false
  const secure = url.protocol === "https:"
  const outgoing = (secure ? https : http).request(url, {
    method: "POST",
    agent: secure ? httpsAgent : httpAgent,
    headers: { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) },
    lookup: pinnedLookup(addresses)
  })
  // One timer for connect, headers and body: the contract's whole-attempt timeout.
  const timer = setTimeout(() => {
    timedOut = true
    outgoing.destroy(new Error("timeout"))
  }, timeoutMs)
  const onAbort = () => outgoing.destroy(new Error("interrupted"))
  interrupted?.addEventListener("abort", onAbort, { once: true })
  const answered = new Promise<DeliveryOutcome>((resolve, reject) => {
    outgoing.once("error", reject)
    outgoing.once("response", (response) => {
      readCappedBody(response).then(
        (body) =>
          resolve(
            classifyResponse({
              status: response.statusCode ?? 0,
              retryAfter: response.headers["retry-after"] ?? null,
              body,
              durationMs: performance.now() - started,
              now: Date.now()
            })
          ),
        reject
      )
    })
  })
  outgoing.end(request.body)
  return answered
    .catch((error: unknown) => networkFailure(describeNetworkError(error, timedOut, timeoutMs), performance.now() - started))
    .finally(() => {
      clearTimeout(timer)
      interrupted?.removeEventListener("abort", onAbort)
    })
}
