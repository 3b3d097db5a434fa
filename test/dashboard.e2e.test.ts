import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { Queue } from "bullmq"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { jobIdsOf } from "./support/answer.ts"
import { launchChromium } from "./support/browser.ts"
import { waitFor } from "./support/ports.ts"
import { startReceiver } from "./support/receiver.ts"
import { startRedis, type TestRedis } from "./support/redis.ts"
import { OUTPUT_DIR, startServer, TEST_ADMIN, type TestServer } from "./support/server.ts"

/**
 * The dashboard and the docs page in a real headless Chromium, as an operator uses them. The screenshot of a
 * failed job goes to `.test-output/`; with UPDATE_SCREENSHOTS=1 it replaces the README's `docs/dashboard.png`.
 */
const SCREENSHOT =
  process.env.UPDATE_SCREENSHOTS === "1" ? join(import.meta.dir, "..", "docs", "dashboard.png") : join(OUTPUT_DIR, "dashboard.png")

// Until it is told otherwise, the receiver refuses CREATE_ORDER for good (422) and takes everything else.
let refuseOrders = true
const receiver = startReceiver((request) =>
  refuseOrders && request.body.includes('"CREATE_ORDER"') ? new Response("unknown product", { status: 422 }) : new Response(null, { status: 204 })
)
let redis: TestRedis
let server: TestServer
let queue: Queue
let browser: Browser
let dashboard: BrowserContext
let page: Page
let failedJobId: string
/** Requests the pages tried to send anywhere but this server: blocked, as on a machine with no internet. */
const elsewhere: Array<string> = []

const blockOtherOrigins = async (context: BrowserContext) => {
  await context.route(
    (url) => url.origin !== server.url,
    (route) => {
      elsewhere.push(route.request().url())
      return route.abort()
    }
  )
}

beforeAll(async () => {
  redis = await startRedis()
  server = await startServer({ REDIS_URL: redis.url, DEFAULT_TARGET_URL: receiver.url })
  queue = new Queue("webhooks", { connection: { host: "127.0.0.1", port: redis.port }, prefix: "nexora" })
  const delivered = await server.enqueue({
    actions: [
      { name: "SYNC_CART", params: { items: 2 } },
      { name: "UPDATE_PROFILE", params: { locale: "fr" } },
      { name: "SEND_RECEIPT", params: { orderId: "o_41" } },
      { name: "REMIND_LATER", params: {}, delayMs: 3_600_000 }
    ]
  })
  expect(delivered.status).toBe(202)
  const [failing] = await jobIdsOf(await server.enqueue({ actions: [{ name: "CREATE_ORDER", params: { data: { total: 45 }, tenantId: "t_123" } }] }))
  failedJobId = failing ?? ""
  await waitFor("the order to fail and the others to be delivered", async () => {
    const counts = await queue.getJobCounts("completed", "failed", "delayed")
    return counts["completed"] === 3 && counts["failed"] === 1 && counts["delayed"] === 1
  })
  browser = await launchChromium()
  dashboard = await browser.newContext({
    httpCredentials: { username: TEST_ADMIN.user, password: TEST_ADMIN.pass },
    viewport: { width: 1280, height: 720 }
  })
  await blockOtherOrigins(dashboard)
  page = await dashboard.newPage()
  page.setDefaultTimeout(15_000)
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await queue?.close()
  await server?.stop()
  await receiver.stop()
  await redis?.dispose()
})

/** The counts the overview shows for the queue, read from its card's breakdown (opened by clicking the total). */
const queueCounts = async (): Promise<Record<string, number>> => {
  const card = page.locator("li", { has: page.getByRole("link", { name: "webhooks", exact: true }) }).filter({ hasText: "Jobs" })
  await card.getByRole("button", { name: /^\d+ Jobs$/ }).click()
  const rows = page.locator('[role="presentation"] a[href*="/queue/webhooks?status="]')
  await rows.first().waitFor()
  const counts: Record<string, number> = {}
  for (const row of await rows.all()) {
    const name = (await row.locator("span").nth(1).textContent()) ?? ""
    counts[name] = Number(await row.locator("span").nth(2).textContent())
  }
  await page.keyboard.press("Escape")
  return counts
}

describe("the dashboard in Chromium", () => {
  test("asks for the password, then shows the queue with its counts", async () => {
    const stranger = await browser.newContext()
    const refused = await stranger.request.get(`${server.url}/admin/queues`)
    expect(refused.status()).toBe(401)
    expect(refused.headers()["www-authenticate"]).toStartWith("Basic")
    await stranger.close()

    const answer = await page.goto(`${server.url}/admin/queues`)
    expect(answer?.status()).toBe(200)
    expect(await queueCounts()).toEqual({ Completed: 3, Failed: 1, Delayed: 1 })
  }, 30_000)

  test("opens the failed job and reads why it failed", async () => {
    await page.locator("main").getByRole("link", { name: "webhooks", exact: true }).click()
    await page.locator('a[href*="status=failed"]').first().click()
    await page.getByRole("link", { name: failedJobId }).click()
    await page.getByText("HTTP 422: unknown product").waitFor()
    await page.getByText("CREATE_ORDER").first().waitFor()
    expect(page.url()).toContain(`/admin/queues/queue/webhooks/${failedJobId}`)
    await page.getByText("Loading the job flow").waitFor({ state: "hidden" })
    mkdirSync(join(SCREENSHOT, ".."), { recursive: true })
    await page.screenshot({ path: SCREENSHOT })
  }, 30_000)

  test("retries it once the receiver is fixed: it is delivered", async () => {
    refuseOrders = false
    const retry = page.locator("button:has(svg.lucide-refresh-cw)").first()
    await retry.hover()
    await page.getByText("Retry", { exact: true }).waitFor()
    await retry.click()
    await page.getByRole("button", { name: "Confirm" }).click()

    await waitFor("the retried order to reach the receiver", () =>
      receiver.received.filter((request) => request.headers["webhook-id"] === failedJobId).length === 2
    )
    const attempts = receiver.received.filter((request) => request.headers["webhook-id"] === failedJobId)
    expect(attempts.map((request) => request.headers["nexora-attempt"])).toEqual(["1", "2"])
    expect(JSON.parse(attempts[1]?.body ?? "{}")).toEqual({ name: "CREATE_ORDER", params: { data: { total: 45 }, tenantId: "t_123" } })
    await waitFor("the job to complete", async () => (await queue.getJobState(failedJobId)) === "completed")
    // The page follows: the job now shows when it finished, and the queue has no failed job left.
    await page.getByText("Finished at").waitFor()
    await waitFor("the overview to count the order as completed", async () => {
      await page.goto(`${server.url}/admin/queues`)
      return JSON.stringify(await queueCounts()) === JSON.stringify({ Completed: 4, Delayed: 1 })
    })
  }, 30_000)
})

describe("the API docs in Chromium", () => {
  test("/docs renders every operation with nothing from the internet and no CSP violation", async () => {
    const context = await browser.newContext()
    await blockOtherOrigins(context)
    const docs = await context.newPage()
    const problems: Array<string> = []
    docs.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text())
    })
    docs.on("pageerror", (error) => problems.push(error.message))
    const before = elsewhere.length
    const answer = await docs.goto(`${server.url}/docs`)
    expect(answer?.status()).toBe(200)
    await docs.getByRole("heading", { name: /Nexora Queue/ }).waitFor()
    for (const path of ["/enqueue", "/healthz", "/readyz"]) {
      await docs.locator(".opblock-summary-path", { hasText: new RegExp(`^${path}$`) }).first().waitFor()
    }
    // Opening an operation shows its example body.
    await docs.locator(".opblock-summary-path", { hasText: /^\/enqueue$/ }).click()
    await docs.getByText("CREATE_ORDER").first().waitFor()
    expect(elsewhere.slice(before)).toEqual([])
    expect(problems.filter((text) => !/favicon/.test(text) && !/404/.test(text))).toEqual([])
    await context.close()
  }, 30_000)
})

describe("the dashboard's content security policy in Chromium", () => {
  test("the page, its scripts, styles and API calls run under it without a single violation", async () => {
    const context = await browser.newContext({ httpCredentials: { username: TEST_ADMIN.user, password: TEST_ADMIN.pass } })
    await blockOtherOrigins(context)
    const board = await context.newPage()
    const violations: Array<string> = []
    board.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
    })
    board.on("pageerror", (error) => violations.push(error.message))
    const answer = await board.goto(`${server.url}/admin/queues`)
    expect(answer?.headers()["content-security-policy"]).toContain("script-src 'self'")
    // The queue's name and counts come from its API, through script the policy allowed.
    await board.getByText("webhooks").first().waitFor()
    await board.goto(`${server.url}/admin/queues/queue/webhooks?status=completed`)
    await board.getByText("SYNC_CART").first().waitFor()
    // The one refusal on purpose: the page's link to Google Fonts, so nothing leaves this server.
    expect(violations.filter((text) => !text.includes("https://fonts.googleapis.com/"))).toEqual([])
    expect(answer?.headers()["content-security-policy"]).not.toContain("googleapis")
    await context.close()
  }, 30_000)
})
