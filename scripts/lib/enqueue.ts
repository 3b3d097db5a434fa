const isJobIds = (value: unknown): value is { jobIds: Array<string> } =>
  typeof value === "object" &&
  value !== null &&
  "jobIds" in value &&
  Array.isArray(value.jobIds) &&
  value.jobIds.every((id: unknown) => typeof id === "string")

/** `POST /enqueue` as an app does it; the job ids in the order of `actions`, or an error naming the answer. */
export const enqueue = async (serverUrl: string, token: string, actions: ReadonlyArray<unknown>): Promise<Array<string>> => {
  const response = await fetch(`${serverUrl}/enqueue`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ actions })
  })
  const answer: unknown = await response.json().catch(() => undefined)
  if (response.status !== 202 || !isJobIds(answer)) {
    throw new Error(`POST /enqueue answered ${response.status}: ${JSON.stringify(answer)?.slice(0, 300)}`)
  }
  return answer.jobIds
}
