// The port the journey engine sends through. Providers (SMTP, Twilio, web push) implement
// it in connectors/; the engine only sees this shape, so tests and breakers can wrap it.
import type { Result } from "../result";
import type { Purpose } from "./schema";

export type SendFailure = {
  /** transient: retry later (and count towards the circuit breaker); permanent: don't. */
  kind: "transient" | "permanent";
  message: string;
  /** Provider error code when there is one (SMTP reply code, Twilio error code, HTTP status). */
  code?: string;
};

export type SendReceipt = { providerMessageId: string };

export interface Channel<M> {
  /** Same idempotencyKey on a retry: the provider (or its Message-ID) can tell it is a retry. */
  send(message: M, idempotencyKey: string): Promise<Result<SendReceipt, SendFailure>>;
}

export type EmailMessage = {
  purpose: Purpose;
  from: { name?: string; address: string };
  replyTo?: string;
  to: string;
  subject: string;
  preheader?: string;
  html: string;
  text: string;
  /** https one-click endpoint for this recipient; required unless transactional. */
  unsubscribeUrl?: string;
  unsubscribeMailto?: string;
  /** The shop's postal address; CAN-SPAM requires it in promotional mail. */
  postalAddress?: string;
};

export type SmsMessage = {
  purpose: Purpose;
  to: string;
  /** A sender number or a Messaging Service SID (MG...). */
  from: string;
  body: string;
  statusCallbackUrl?: string;
};

export type PushSubscription = { endpoint: string; keys: { p256dh: string; auth: string } };

export type PushMessage = {
  purpose: Purpose;
  subscription: PushSubscription;
  title: string;
  body: string;
  icon?: string;
  link: string;
  ttlSeconds?: number;
};
