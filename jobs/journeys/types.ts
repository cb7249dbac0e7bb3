// What the journey engine's shell needs from the outside: the database, the queues, the
// channels (injected behind core/content/channel.ts's interface), a clock and a logger.
import type pg from "pg";
import type { Logger } from "pino";
import type { Channel as CoreChannel, SendFailure, SendReceipt } from "../../core/content/channel";
import type { RetryPolicy } from "../../core/journeys/webhook";
import type { Result } from "../../core/result";
import type { Channel, Purpose } from "../../core/governance/schema";
import type { QueueSystem } from "../queues";
import type { Background, BatchOptions } from "./coalesce";
import type { OfferCodeIssuer } from "./offer";

/** One message as the engine hands it to a channel: ids and the resolved address only. */
export interface OutboundMessage {
  shopId: number;
  messageId: string;
  customerId: string;
  channel: Channel;
  purpose: Purpose;
  /** The send node's content reference (rendering happens inside the channel adapter). */
  contentId: string | null;
  /** Email address, E.164 phone or push endpoint hash. */
  recipient: string;
  journeyId: string | null;
  nodeId: string | null;
  variant: string | null;
}

export type ProviderRecord = { found: true; receipt: SendReceipt } | { found: false };

/**
 * A channel the engine sends through. `lookup` is optional: a channel that can say whether
 * the provider already holds a message for an idempotency key (SMTP sink by Message-ID,
 * Twilio by idempotency key) lets the engine reconcile a send interrupted by a crash;
 * without it such a send is marked for review and never sent again.
 */
export interface JourneyChannel extends CoreChannel<OutboundMessage> {
  provider: string;
  lookup?(idempotencyKey: string, message: OutboundMessage): Promise<ProviderRecord>;
}

export type ChannelRegistry = Partial<Record<Channel, JourneyChannel>>;

export interface JourneyDeps {
  db: pg.Pool;
  qs: QueueSystem;
  channels: ChannelRegistry;
  logger?: Logger;
  now?: () => Date;
  /** In-process retries of a transient channel failure before falling back. */
  retry?: { attempts: number; backoffMs: number };
  /**
   * Do work that is due right now in the same job (a send just written, a zero-length wait)
   * instead of queueing it; later work is always queued. Default true. A crash in between
   * is covered by the sweeper either way.
   */
  inline?: boolean;
  /** Creates offer nodes' discount codes on the store (jobs/journeys/offer.ts); without it sends with an offer wait. */
  offerCodes?: OfferCodeIssuer;
  /**
   * Steps and sends of concurrent jobs in this process go in batches (jobs/journeys/coalesce.ts):
   * one transaction per batch. `false` does every enrollment and message on its own.
   */
  batch?: BatchOptions | false;
  /**
   * Set by the worker: an event job hands its event (entry, first steps and what follows
   * inline) to this instead of carrying it itself, so many customers are in flight at once
   * and the batches fill. Without it (direct calls, tests) the job carries them to the end.
   */
  background?: Background;
  /** Webhook nodes (jobs/journeys/effects/webhook.ts); without it their calls fail with an alert. */
  webhooks?: WebhookOptions;
  /** The merchant's notification email (notify_merchant); without it only the in-app alert is raised. */
  merchantMail?: MerchantMailer;
  /** Points inside the engine where tests put another writer at an exact moment. */
  hooks?: EngineHooks;
}

export interface EngineHooks {
  /**
   * Inside the transaction that decided these messages (the customers' locks held, their
   * outcomes written, nothing committed yet), just before its commit.
   */
  beforeSendCommit?(shopId: number, messageIds: readonly string[]): Promise<void>;
}

export interface WebhookOptions {
  /** The shop's signing secret (app/models/webhook-secret.server.ts makes one per shop). */
  secretFor(shopId: number): Promise<string>;
  /** http(s) to localhost allowed: development and tests only. */
  allowLocalhost?: boolean;
  /** Per attempt; a timeout counts as a transient failure. Default 10 s. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** DNS (every address for the host); node:dns lookup unless given. */
  resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
}

/** Sends a notification to the shop's contact address through the shop's own email channel. */
export interface MerchantMailer {
  send(shopId: number, mail: { subject: string; text: string }, idempotencyKey: string): Promise<Result<SendReceipt & { to: string }, SendFailure>>;
}

export const clock = (deps: Pick<JourneyDeps, "now">): Date => (deps.now ? deps.now() : new Date());
