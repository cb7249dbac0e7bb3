// Twilio SMS provider through the official client, plus the two webhooks Twilio calls:
// delivery status callbacks and inbound messages. Both are verified with X-Twilio-Signature
// before anything is believed.
import twilio from "twilio";
import type { Channel, SendFailure, SendReceipt, SmsMessage } from "../../core/content/channel";
import { err, ok, type Result } from "../../core/result";
import { decideInbound, type InboundContext, type InboundDecision } from "../../core/tracking/sms-inbound";

const TWILIO_API = "https://api.twilio.com";
type TwilioRequestOptions<T> = import("twilio/lib/base/RequestClient").RequestOptions<T>;

/** The twilio client has no base-URL option; this sends its requests elsewhere (a sim, a proxy). */
export class RedirectingRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super();
  }
  override request<T>(opts: TwilioRequestOptions<T>) {
    const uri = opts.uri.startsWith(TWILIO_API) ? this.baseUrl.replace(/\/$/, "") + opts.uri.slice(TWILIO_API.length) : opts.uri;
    return super.request<T>({ ...opts, uri });
  }
}

export type TwilioConfig = { accountSid: string; authToken: string; baseUrl?: string; timeoutMs?: number };

type TwilioError = Error & { status?: number; code?: number | string };

/** 429, 5xx and network failures are retryable; other 4xx (21610 opted out, 21211 bad number) are not. */
export function classifyTwilioError(e: TwilioError): SendFailure {
  const message = e.message;
  if (typeof e.status === "number") {
    const transient = e.status === 429 || e.status >= 500;
    return { kind: transient ? "transient" : "permanent", code: String(e.code ?? e.status), message };
  }
  return { kind: "transient", code: typeof e.code === "string" ? e.code : undefined, message };
}

export function createTwilioChannel(config: TwilioConfig): Channel<SmsMessage> {
  const client = twilio(config.accountSid, config.authToken, {
    httpClient: config.baseUrl ? new RedirectingRequestClient(config.baseUrl) : undefined,
    timeout: config.timeoutMs ?? 15_000,
  });
  return {
    // Twilio's Messages API has no idempotency key: the caller must record the send (keyed by
    // idempotencyKey) before retrying, and treat a transient failure after the request left
    // as "maybe sent" (the status callback settles it).
    async send(message: SmsMessage, _idempotencyKey: string): Promise<Result<SendReceipt, SendFailure>> {
      const sender = message.from.startsWith("MG") ? { messagingServiceSid: message.from } : { from: message.from };
      try {
        const created = await client.messages.create({
          to: message.to,
          body: message.body,
          ...sender,
          ...(message.statusCallbackUrl ? { statusCallback: message.statusCallbackUrl } : {}),
        });
        return ok({ providerMessageId: created.sid });
      } catch (e) {
        return err(classifyTwilioError(e as TwilioError));
      }
    },
  };
}

export type WebhookRequest = {
  /** The full public URL Twilio called, exactly as configured (scheme, host, port, path, query). */
  url: string;
  signature: string | undefined;
  params: Record<string, string>;
};

export function verifyTwilioWebhook(authToken: string, req: WebhookRequest): boolean {
  if (!req.signature) return false;
  return twilio.validateRequest(authToken, req.signature, req.url, req.params);
}

export type DeliveryStatus = "pending" | "sent" | "delivered" | "failed";

export type StatusUpdate = { providerMessageId: string; status: DeliveryStatus; providerStatus: string; errorCode?: string };

const STATUS: Record<string, DeliveryStatus> = {
  accepted: "pending",
  scheduled: "pending",
  queued: "pending",
  sending: "pending",
  sent: "sent",
  delivered: "delivered",
  read: "delivered",
  undelivered: "failed",
  failed: "failed",
  canceled: "failed",
};

export function parseStatusCallback(authToken: string, req: WebhookRequest): Result<StatusUpdate> {
  if (!verifyTwilioWebhook(authToken, req)) return err("bad signature");
  const sid = req.params.MessageSid;
  const providerStatus = req.params.MessageStatus ?? req.params.SmsStatus;
  const status = providerStatus ? STATUS[providerStatus] : undefined;
  if (!sid || !providerStatus || !status) return err("not a message status callback");
  return ok({ providerMessageId: sid, status, providerStatus, ...(req.params.ErrorCode ? { errorCode: req.params.ErrorCode } : {}) });
}

export type InboundResult = InboundDecision & { from: string; to: string; providerMessageId: string; twiml: string };

/** Classifies a reply, and returns the consent change to store and the TwiML to answer with. */
export function handleInbound(authToken: string, req: WebhookRequest, ctx: InboundContext): Result<InboundResult> {
  if (!verifyTwilioWebhook(authToken, req)) return err("bad signature");
  const { From: from, To: to, Body: body = "", MessageSid: sid } = req.params;
  if (!from || !to || !sid) return err("not an inbound message webhook");
  const decision = decideInbound(body, ctx);
  const response = new twilio.twiml.MessagingResponse();
  if (decision.reply) response.message(decision.reply);
  return ok({ ...decision, from, to, providerMessageId: sid, twiml: response.toString() });
}
