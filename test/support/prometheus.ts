/** The value of one sample of a Prometheus text exposition, `undefined` when absent. */
export const sampleOf = (exposition: string, name: string, labels: Record<string, string> = {}): number | undefined => {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`)
  for (const line of exposition.split("\n")) {
    if (line.startsWith("#")) continue
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (match === null || match[1] !== name) continue
    const present = (match[2] ?? "").split(",").filter((pair) => pair.length > 0)
    if (wanted.every((pair) => present.includes(pair)) && present.length === wanted.length) return Number(match[3])
  }
  return undefined
}
