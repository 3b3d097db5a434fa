/**
 * The receiver kit: what an app needs to accept Nexora Queue webhooks. Plain TypeScript on `node:crypto`,
 * free of Bun-only APIs and of Effect, so it runs in Next.js (Node runtime), Express or Bun alike.
 */
export { type HeaderSource } from "./headers.ts"
export {
  DEFAULT_TOLERANCE_SECONDS,
  type SignatureScheme,
  type VerifyFailureReason,
  type VerifyOptions,
  type VerifyResult,
  verifyWebhook
} from "./verifyWebhook.ts"
export {
  type ClaimResult,
  DEFAULT_DEDUP_LEASE_MS,
  DEFAULT_DEDUP_TTL_MS,
  type MemoryStoreOptions,
  memoryWebhookIdStore,
  processOnce,
  type ProcessOnceOptions,
  type ProcessOnceResult,
  type WebhookIdStore
} from "./deduplicate.ts"
