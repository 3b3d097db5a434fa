import { Context } from "effect"

export interface SignInput {
  /** `webhook-id`: the job id, the same on every attempt. */
  readonly id: string
  /** Unix seconds of this attempt. */
  readonly timestamp: number
  /** Exactly the bytes that will be sent. */
  readonly body: string
}

export interface SignatureHeaders {
  readonly "nexora-signature": string
  readonly "webhook-id": string
  readonly "webhook-timestamp": string
  readonly "webhook-signature": string
}

/** Signs outgoing webhooks so the receiver can prove they came from us. */
export class Signer extends Context.Tag("nexora/Signer")<
  Signer,
  { readonly sign: (input: SignInput) => SignatureHeaders }
>() {}
