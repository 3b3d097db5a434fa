/** The actions this app knows, as its offline clients send them (see examples/data in the repository). */
export interface Action {
  readonly name: string
  readonly params: { readonly tenantId: string; readonly [field: string]: unknown }
}

export type ParsedAction = { readonly ok: true; readonly action: Action } | { readonly ok: false; readonly message: string }

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const positive = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value > 0

/** Business rules per action: what breaks one makes it a poison action, answered 422 and never retried. */
const rules: Record<string, (params: Record<string, unknown>) => string | undefined> = {
  CREATE_ORDER: (p) => (Array.isArray(p.lines) && p.lines.length > 0 ? undefined : "an order needs at least one line"),
  UPDATE_ORDER_LINE: (p) => (Number.isInteger(p.qty) && Number(p.qty) >= 0 ? undefined : "qty must be a whole number"),
  RECORD_PAYMENT: (p) => (positive(p.amount) ? undefined : "a payment amount must be positive"),
  MOVE_STOCK: (p) => (Number.isInteger(p.qty) && p.qty !== 0 ? undefined : "a stock move needs a non-zero whole qty")
}

/** Reads a verified body; a body that parses but breaks a rule is the sender's data, not a transient fault. */
export const parseAction = (body: string): ParsedAction => {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return { ok: false, message: "the body is not JSON" }
  }
  if (!isRecord(value) || typeof value.name !== "string" || !isRecord(value.params)) {
    return { ok: false, message: "expected {name, params}" }
  }
  const { name, params } = value
  const tenantId = params.tenantId
  if (typeof tenantId !== "string" || tenantId === "") return { ok: false, message: "params.tenantId is required" }
  const rule = rules[name]
  if (rule === undefined) return { ok: false, message: `unknown action ${name}` }
  const broken = rule(params)
  return broken === undefined ? { ok: true, action: { name, params: { ...params, tenantId } } } : { ok: false, message: broken }
}
