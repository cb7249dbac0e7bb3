// Winback's events in Klaviyo: the metrics a merchant's Klaviyo flows trigger on. Each
// carries a unique_id (our idempotency key) so a retried or repeated push is one event in
// Klaviyo, which keeps one event per metric, profile and unique_id.
import type { Result } from "../../core/result";
import type { KlaviyoClient, KlaviyoError } from "./client";

export const WINBACK_METRICS = {
  dormant: "Winback Dormant",
  offerIssued: "Winback Offer Issued",
  segmentEntered: "Winback Segment Entered",
  journeyMessage: "Winback Journey Message",
} as const;

export type KlaviyoProfileRef = { email?: string | null; phone?: string | null; externalId?: string | null };

export type WinbackEvent = {
  metric: string;
  profile: KlaviyoProfileRef;
  properties: Record<string, unknown>;
  /** The idempotency key. */
  uniqueId: string;
  time: Date;
  /** Money as minor units with its currency (converted to Klaviyo's decimal `value`). */
  value?: { minor: number; currency: string; exponent?: number };
};

export function profileIdentifiers(p: KlaviyoProfileRef): { email?: string; phoneNumber?: string; externalId?: string } {
  return {
    ...(p.email ? { email: p.email } : {}),
    ...(p.phone ? { phoneNumber: p.phone } : {}),
    ...(p.externalId ? { externalId: p.externalId } : {}),
  };
}

export async function pushEvent(client: KlaviyoClient, e: WinbackEvent): Promise<Result<void, KlaviyoError>> {
  const ids = profileIdentifiers(e.profile);
  if (!ids.email && !ids.phoneNumber && !ids.externalId) {
    return { ok: false, error: { kind: "permanent", status: 0, code: "no_identifier", message: "the customer has no email, phone or external id for Klaviyo" } };
  }
  const r = await client.call(`event ${e.metric}`, () =>
    client.events.createEvent({
      data: {
        type: "event",
        attributes: {
          properties: e.properties,
          time: e.time,
          uniqueId: e.uniqueId,
          ...(e.value ? { value: e.value.minor / 10 ** (e.value.exponent ?? 2), valueCurrency: e.value.currency } : {}),
          metric: { data: { type: "metric", attributes: { name: e.metric } } },
          profile: { data: { type: "profile", attributes: ids } },
        },
      },
    }),
  );
  return r.ok ? { ok: true, value: undefined } : r;
}
