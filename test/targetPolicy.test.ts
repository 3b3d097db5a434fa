import { afterAll, describe, expect, test } from "bun:test"
import { Effect, Layer } from "effect"
import { HostResolverDns } from "../src/layers/HostResolverDns.ts"
import { HostResolver, HostUnresolved } from "../src/services/HostResolver.ts"
import { makeTestApi, tableResolver } from "./support/api.ts"
import { readAnswer } from "./support/answer.ts"

const action = { name: "CREATE_ORDER", params: { total: 45 } }

/** Names this suite controls: what each resolves to. */
const names = tableResolver({
  "public.test": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
  "inward.test": ["10.0.0.5"],
  "loopback6.test": ["::1"],
  "metadata.test": ["169.254.169.254"],
  "mapped.test": ["::ffff:127.0.0.1"],
  "mixed.test": ["93.184.216.34", "127.0.0.1"],
  "empty.test": []
})

const anyPublic = await makeTestApi({ targetUrlAllowlist: ["*"] }, names)
const anyPublicRealDns = await makeTestApi({ targetUrlAllowlist: ["*"] }, HostResolverDns)
const listedOnly = await makeTestApi({ targetUrlAllowlist: ["https://app.example.com", "http://127.0.0.1:8080"] }, names)
const listedAndAny = await makeTestApi({ targetUrlAllowlist: ["*", "http://localhost:3001"] }, HostResolverDns)
const flakyDns = await makeTestApi(
  { targetUrlAllowlist: ["*"] },
  Layer.succeed(HostResolver, {
    lookup: (hostname) => Effect.fail(new HostUnresolved({ hostname, temporary: true, reason: "lookup timed out" }))
  })
)

afterAll(async () => {
  for (const api of [anyPublic, anyPublicRealDns, listedOnly, listedAndAny, flakyDns]) await api.close()
})

const answer = async (api: Awaited<ReturnType<typeof makeTestApi>>, targetUrl: string) => {
  const before = api.state.jobs.length
  const response = await api.enqueue({ actions: [action], targetUrl })
  const body = await readAnswer(response)
  return { status: response.status, body, queued: api.state.jobs.length - before }
}

describe("with TARGET_URL_ALLOWLIST=*, every spelling of an inward host is refused with 403", () => {
  const spellings = [
    "http://127.0.0.1/hook",
    "http://127.0.0.1:3000/hook",
    "http://2130706433/hook", // decimal
    "http://0x7f000001/hook", // hex
    "http://0x7f.1/hook",
    "http://0177.0.0.1/hook", // octal
    "http://017700000001/hook",
    "http://127.1/hook",
    "http://%31%32%37.0.0.1/hook", // percent-encoded
    "http://127.0.0.1./hook", // trailing dot on an address
    "http://0/hook",
    "http://0.0.0.0/hook",
    "http://10.0.0.1/hook",
    "http://192.168.0.10/hook",
    "http://172.20.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.100.100.200/latest/meta-data/",
    "http://168.63.129.16/machine",
    "http://224.0.0.251/hook",
    "http://[::1]/hook",
    "http://[::]/hook",
    "http://[::ffff:127.0.0.1]/hook", // IPv4-mapped IPv6
    "http://[::ffff:7f00:1]/hook",
    "http://[0:0:0:0:0:ffff:169.254.169.254]/hook",
    "http://[64:ff9b::7f00:1]/hook", // NAT64
    "http://[::127.0.0.1]/hook", // IPv4-compatible
    "http://[fe80::1]/hook",
    "http://[fd12::1]/hook",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://[ff02::1]/hook",
    "http://inward.test/hook", // names that resolve inward
    "http://loopback6.test/hook",
    "http://metadata.test/latest/meta-data/",
    "http://mapped.test/hook",
    "http://mixed.test/hook", // one inward address among public ones is enough
    "https://inward.test:8443/hook"
  ]

  test.each(spellings)("%s", async (targetUrl) => {
    const { status, body, queued } = await answer(anyPublic, targetUrl)
    expect({ status, error: body.error, queued }).toEqual({ status: 403, error: "Forbidden", queued: 0 })
    expect(body.message).toContain("only origins listed in TARGET_URL_ALLOWLIST may reach it")
  })

  test("the answer says which address was refused and why", async () => {
    expect((await answer(anyPublic, "http://mixed.test/hook")).body.message).toBe(
      "the targetUrl host mixed.test resolves to 127.0.0.1, not a public address (loopback); only origins listed in TARGET_URL_ALLOWLIST may reach it"
    )
    expect((await answer(anyPublic, "http://[::ffff:169.254.169.254]/")).body.message).toContain(
      "[::ffff:a9fe:a9fe] is not a public address (cloud metadata)"
    )
  })

  test.each(["http://localhost:3000/hook", "http://localhost./hook", "http://LOCALHOST/hook"])(
    "%s, resolved by the system resolver, is refused",
    async (targetUrl) => {
      const { status, body, queued } = await answer(anyPublicRealDns, targetUrl)
      expect({ status, queued }).toEqual({ status: 403, queued: 0 })
      expect(body.message).toContain("resolves to")
    }
  )

  test("a name that does not resolve, or resolves to nothing, is refused", async () => {
    expect(await answer(anyPublic, "http://nowhere.test/hook")).toMatchObject({ status: 403, queued: 0 })
    expect((await answer(anyPublic, "http://nowhere.test/hook")).body.message).toBe("the targetUrl host nowhere.test does not resolve")
    expect(await answer(anyPublic, "http://empty.test/hook")).toMatchObject({ status: 403, queued: 0 })
  })

  test("a resolver that cannot answer right now gives 503 and queues nothing", async () => {
    const { status, body, queued } = await answer(flakyDns, "https://public.test/hook")
    expect({ status, error: body.error, queued }).toEqual({ status: 503, error: "ServiceUnavailable", queued: 0 })
  })

  test("a public host is accepted, by address or by a name whose every address is public", async () => {
    for (const targetUrl of ["https://public.test/hook", "http://93.184.216.34:8080/hook", "https://[2606:4700:4700::1111]/hook"]) {
      const { status, queued } = await answer(anyPublic, targetUrl)
      expect({ targetUrl, status, queued }).toEqual({ targetUrl, status: 202, queued: 1 })
    }
    expect(anyPublic.state.jobs.at(-1)?.targetUrl).toBe("https://[2606:4700:4700::1111]/hook")
  })
})

describe("explicitly listed origins", () => {
  test("a listed origin is allowed even on a private address", async () => {
    expect(await answer(listedOnly, "http://127.0.0.1:8080/hook")).toMatchObject({ status: 202, queued: 1 })
    expect(listedOnly.state.jobs.at(-1)?.targetUrl).toBe("http://127.0.0.1:8080/hook")
  })

  test("next to *, only the listed origin reaches inward; its neighbour does not", async () => {
    expect(await answer(listedAndAny, "http://localhost:3001/api")).toMatchObject({ status: 202, queued: 1 })
    expect(await answer(listedAndAny, "http://localhost:3002/api")).toMatchObject({ status: 403, queued: 0 })
  })

  test("without *, an origin not listed is refused, public or not, spelled like a listed one or not", async () => {
    for (const targetUrl of [
      "https://public.test/hook",
      "http://app.example.com/hook", // another scheme
      "https://app.example.com:8443/hook", // another port
      "https://app.example.com./hook", // trailing dot: another origin
      "https://app.example.com.evil.test/hook",
      "http://127.0.0.1:8081/hook",
      "http://2130706433:8081/hook"
    ]) {
      const { status, body, queued } = await answer(listedOnly, targetUrl)
      expect({ targetUrl, status, queued }).toEqual({ targetUrl, status: 403, queued: 0 })
      expect(body.message).toContain("is not in TARGET_URL_ALLOWLIST")
    }
  })

  test("spellings that normalise to a listed origin are that origin", async () => {
    expect(await answer(listedOnly, "HTTPS://APP.EXAMPLE.COM:443/api/x")).toMatchObject({ status: 202, queued: 1 })
    expect(listedOnly.state.jobs.at(-1)?.targetUrl).toBe("https://app.example.com/api/x")
  })

  test("no targetUrl means the default target", async () => {
    const response = await listedOnly.enqueue({ actions: [action] })
    expect(response.status).toBe(202)
    expect(listedOnly.state.jobs.at(-1)?.targetUrl).toBe("https://app.example.com/api/process-queue")
  })
})

describe("malformed targets are 400", () => {
  test.each([
    "ftp://app.example.com/x",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "gopher://127.0.0.1:6379/_INFO",
    "not a url",
    "https://user:pass@app.example.com/hook",
    `https://app.example.com/${"a".repeat(2100)}`
  ])("%s", async (targetUrl) => {
    const { status, body, queued } = await answer(anyPublic, targetUrl)
    expect({ status, error: body.error, queued }).toEqual({ status: 400, error: "BadRequest", queued: 0 })
  })
})
