/** How deeply a JSON value nests (a scalar is 0); walks without recursion so no input can overflow the stack. */
export const jsonDepth = (value: unknown, limit: number): number => {
  let deepest = 0
  const stack: Array<readonly [unknown, number]> = [[value, 0]]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [current, depth] = item
    if (typeof current !== "object" || current === null) continue
    const inner = depth + 1
    if (inner > deepest) deepest = inner
    if (deepest > limit) return deepest
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push([child, inner])
  }
  return deepest
}
