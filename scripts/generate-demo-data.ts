/**
 * Writes examples/data/offline-sync.json: what 25 shops' point-of-sale apps sync after a day offline.
 * Deterministic (seeded), so re-running it gives the same file: `bun run scripts/generate-demo-data.ts`.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"

const TOTAL_ACTIONS = 2_000
const OUTPUT = join(import.meta.dir, "..", "examples", "data", "offline-sync.json")

// mulberry32: a tiny seeded generator, so the data never changes unless this file does.
let seed = 20_250_601
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
}
const pick = <A>(items: readonly [A, ...Array<A>]): A => items[Math.floor(random() * items.length)] ?? items[0]
const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))
const money = (min: number, max: number) => Math.round((min + random() * (max - min)) * 100) / 100

const SHOPS: ReadonlyArray<readonly [name: string, currency: string]> = [
  ["Café Olé", "EUR"], ["Bäckerei Müller", "EUR"], ["Taquería El Güero", "MXN"], ["北京小吃", "CNY"],
  ["Żabka Kraków", "PLN"], ["Crêperie Saint-Malo", "EUR"], ["Smørrebrød & Co", "DKK"], ["Ramen Ichirō", "JPY"],
  ["Phở Hà Nội", "VND"], ["Κουζίνα Ελένης", "EUR"], ["Çay Bahçesi", "TRY"], ["Пекарня Бублик", "UAH"],
  ["São Jorge Mercearia", "BRL"], ["Dönerladen Öztürk", "EUR"], ["Fika i Malmö", "SEK"], ["मसाला हाउस", "INR"],
  ["Kaffi Reykjavík", "ISK"], ["Pâtisserie Noël", "EUR"], ["Bodega Peñalara", "EUR"], ["서울 분식", "KRW"],
  ["مطعم الياسمين", "AED"], ["Zürcher Käserei", "CHF"], ["Trattoria Nonna Pià", "EUR"], ["Kōhī Kissa", "JPY"],
  ["Piekarnia Łódź", "PLN"]
]
type Product = readonly [sku: string, name: string, min: number, max: number]
const CUSTOMERS: readonly [string, ...Array<string>] = [
  "Zoë Ångström", "Łukasz Wójcik", "Nguyễn Ngọc Anh", "محمد الفارسي", "李雷", "Søren Kierkegård", "José Núñez",
  "Ólafur Þórsson", "Chloé Brontë", "Dvořák Antonín", "Ayşe Yılmaz", "Σοφία Παπαδοπούλου", "Иван Петров",
  "Amélie Poulain", "Björk Guðmundsdóttir", "佐藤 花子", "김민준", "Renée O'Connor", "Ñandú Pérez", "Walk-in"
]
const PRODUCTS: readonly [Product, ...Array<Product>] = [
  ["SKU-ESP", "Espresso ☕", 1.8, 3.2], ["SKU-CRO", "Croissant au beurre", 1.5, 2.9], ["SKU-BRZ", "Brezel 🥨", 0.9, 1.9],
  ["SKU-TAC", "Tacos al pastor 🌮", 2.5, 4.5], ["SKU-BAO", "叉烧包 (char siu bao)", 2, 3.5], ["SKU-PIE", "Pierogi ruskie", 4, 8],
  ["SKU-RMN", "Tonkotsu ラーメン", 9, 14], ["SKU-PHO", "Phở bò", 7, 11], ["SKU-SMR", "Smørrebrød med rejer", 8, 13],
  ["SKU-KAS", "Käsefondue für 2", 28, 42], ["SKU-CHA", "Çay (ince belli)", 0.8, 1.5], ["SKU-SAM", "Samosa (3 pcs) 🔥", 3, 5]
]
const NOTES: readonly [string, ...Array<string>] = [
  "extra cheese 🍕", "sans gluten, s'il vous plaît", "bitte ohne Zwiebeln", "для дитини — не гостре", "少辣",
  "allergie: noix/Nüsse/nuts", "«à emporter»", "pay later — regular", "🎂 birthday, candle on top", "ไม่ใส่ผักชี",
  "ne pas sonner 🔕", "mañana temprano", "", "", ""
]
const LOCATIONS: readonly [string, ...Array<string>] = ["shelf", "back room", "cold room ❄️", "van", "window"]

interface Action {
  readonly name: string
  readonly params: Record<string, unknown>
}

interface Order {
  readonly orderId: string
  readonly lines: number
  readonly total: number
}

/** One shop's day, in the order the app recorded it. */
const dayAt = (tenantId: string, currency: string, count: number): Array<Action> => {
  const orders: Array<Order> = []
  const actions: Array<Action> = []
  let clock = Date.parse("2025-06-01T07:30:00Z") + between(0, 3_600_000)
  const at = () => new Date((clock += between(20_000, 400_000))).toISOString()
  while (actions.length < count) {
    const roll = random()
    const [firstOrder, ...moreOrders] = orders
    if (firstOrder === undefined || roll < 0.35) {
      const lines = Array.from({ length: between(1, 5) }, (_, i) => {
        const [sku, name, min, max] = pick(PRODUCTS)
        return { lineNo: i + 1, sku, name, qty: between(1, 4), unitPrice: money(min, max) }
      })
      const total = Math.round(lines.reduce((sum, l) => sum + l.qty * l.unitPrice, 0) * 100) / 100
      const orderId = `${tenantId}-o${orders.length + 1}`
      orders.push({ orderId, lines: lines.length, total })
      actions.push({
        name: "CREATE_ORDER",
        params: { tenantId, orderId, at: at(), customer: { name: pick(CUSTOMERS) }, lines, total, currency, note: pick(NOTES) }
      })
    } else if (roll < 0.55) {
      const order = pick([firstOrder, ...moreOrders])
      actions.push({
        name: "UPDATE_ORDER_LINE",
        params: { tenantId, orderId: order.orderId, at: at(), lineNo: between(1, order.lines), qty: between(0, 6), note: pick(NOTES) }
      })
    } else if (roll < 0.8) {
      const order = pick([firstOrder, ...moreOrders])
      actions.push({
        name: "RECORD_PAYMENT",
        params: {
          tenantId, orderId: order.orderId, at: at(), paymentId: `${order.orderId}-p${between(1, 9)}`,
          amount: order.total > 0 ? order.total : money(1, 20), currency, method: pick(["cash", "card", "card", "voucher"] as const)
        }
      })
    } else {
      const [sku, name] = pick(PRODUCTS)
      actions.push({
        name: "MOVE_STOCK",
        params: { tenantId, at: at(), sku, product: name, qty: (random() < 0.5 ? -1 : 1) * between(1, 24), from: pick(LOCATIONS), to: pick(LOCATIONS), reason: pick(["sale", "delivery", "waste", "count"] as const) }
      })
    }
  }
  return actions
}

/** Actions that the receiving app refuses (422): what a buggy client version really sends. */
const POISON: ReadonlyArray<(tenantId: string) => Action> = [
  (tenantId) => ({ name: "RECORD_PAYMENT", params: { tenantId, orderId: `${tenantId}-o1`, paymentId: "refund-as-payment", amount: -12.5, currency: "EUR", method: "cash" } }),
  (tenantId) => ({ name: "MOVE_STOCK", params: { tenantId, sku: "SKU-ESP", qty: 0, from: "shelf", to: "shelf", reason: "count" } }),
  (tenantId) => ({ name: "LEGACY_SYNC_V1", params: { tenantId, blob: "eyJ2IjoxfQ==" } }),
  (tenantId) => ({ name: "CREATE_ORDER", params: { tenantId, orderId: `${tenantId}-empty`, lines: [], total: 0, note: "brouillon vide" } }),
  (tenantId) => ({ name: "UPDATE_ORDER_LINE", params: { tenantId, orderId: `${tenantId}-o1`, lineNo: 1, qty: "three" } }),
  (tenantId) => ({ name: "RECORD_PAYMENT", params: { tenantId, orderId: `${tenantId}-o2`, paymentId: "zero", amount: 0, currency: "EUR", method: "card" } })
]

/** Splits one shop's actions into 1–4 sync requests of uneven sizes, as a flaky connection does. */
const requestsOf = (tenantId: string, actions: Array<Action>) => {
  const parts = Math.min(between(1, 4), actions.length)
  const cuts = [...new Set(Array.from({ length: parts - 1 }, () => between(1, actions.length - 1)))].sort((a, b) => a - b)
  return [0, ...cuts].map((start, i) => ({ tenantId, actions: actions.slice(start, [...cuts, actions.length][i]) }))
}

const tenants = SHOPS.map(([name, currency], i) => ({ tenantId: `t_${String(i + 1).padStart(3, "0")}`, name, currency }))
// Shops differ in size: weights from 1 to 6, scaled to TOTAL_ACTIONS (the last one takes the rounding).
const weights = tenants.map(() => between(1, 6))
const weightSum = weights.reduce((a, b) => a + b, 0)
const counts = weights.map((w) => Math.max(5, Math.floor((w / weightSum) * (TOTAL_ACTIONS - POISON.length))))
counts[counts.length - 1] = TOTAL_ACTIONS - POISON.length - counts.slice(0, -1).reduce((a, b) => a + b, 0)

const requests = tenants.flatMap((tenant, i) => {
  const actions = dayAt(tenant.tenantId, tenant.currency, counts[i] ?? 0)
  const poison = POISON[i % 4 === 1 ? Math.floor(i / 4) : -1]
  if (poison !== undefined) actions.splice(between(0, actions.length), 0, poison(tenant.tenantId))
  return requestsOf(tenant.tenantId, actions)
})
// Syncs arrive interleaved across shops, not shop by shop.
const shuffled = requests
  .map((request) => ({ request, key: random() }))
  .sort((a, b) => a.key - b.key)
  .map(({ request }) => request)

const actionCount = shuffled.reduce((sum, r) => sum + r.actions.length, 0)
const file = {
  about: "A day offline at 25 shops: orders, line changes, payments and stock moves, synced in bursts of uneven size.",
  expect: { actions: actionCount, tenants: tenants.length, requests: shuffled.length, poison: POISON.length }
}
// One action per line: readable diffs, and a file a person can skim.
const lines = [
  "{",
  `  "about": ${JSON.stringify(file.about)},`,
  `  "expect": ${JSON.stringify(file.expect)},`,
  `  "tenants": [\n${tenants.map((t) => `    ${JSON.stringify(t)}`).join(",\n")}\n  ],`,
  `  "requests": [\n${shuffled
    .map((r) => `    { "tenantId": ${JSON.stringify(r.tenantId)}, "actions": [\n${r.actions.map((a) => `      ${JSON.stringify(a)}`).join(",\n")}\n    ] }`)
    .join(",\n")}\n  ]`,
  "}"
]
writeFileSync(OUTPUT, `${lines.join("\n")}\n`)
console.log(`wrote ${OUTPUT}: ${actionCount} actions, ${tenants.length} tenants, ${shuffled.length} requests, ${POISON.length} poison`)
