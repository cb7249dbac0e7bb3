// Winback -> Klaviyo sync, in batches within Klaviyo's documented limits:
//   - profiles: Bulk Import Profiles jobs (an upsert; at most 10,000 profiles and 5 MB each);
//   - consent: Bulk Subscribe (1,000 profiles per job) and Bulk Unsubscribe (100 per job)
//     subscription jobs, from our consent states (consent.ts);
//   - segments: one Klaviyo list per Winback segment, members added and removed with
//     Add/Remove Profiles to List (1,000 profile ids per call), found with Get Profiles
//     (any(email,[...]), 100 per page).
// Re-running a sync changes nothing: profile import and subscription jobs are upserts to the
// same state, and a list sync diffs the list's current members against the segment first,
// so an unchanged segment makes no write at all.
import { ok, type Result } from "../../core/result";
import type { KlaviyoClient, KlaviyoError } from "./client";
import { klaviyoConsentChanges, type ConsentSource } from "./consent";

export const KLAVIYO_LIMITS = {
  bulkImportProfiles: 10_000,
  bulkImportBytes: 5 * 1024 * 1024,
  bulkSubscribeProfiles: 1_000,
  bulkUnsubscribeProfiles: 100,
  listMembersPerCall: 1_000,
  filterValues: 100,
  pageSize: 100,
} as const;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export type WinbackProfile = ConsentSource & {
  customerId: string;
  firstName?: string | null;
  lastName?: string | null;
  country?: string | null;
  province?: string | null;
  city?: string | null;
  zip?: string | null;
  address1?: string | null;
  timezone?: string | null;
  locale?: string | null;
  /** Custom properties (dormancy, stage, CLV...), namespaced winback_*. */
  properties?: Record<string, unknown>;
};

const normEmail = (e: string | null | undefined) => (e ? e.trim().toLowerCase() : null);

function profileAttributes(p: WinbackProfile) {
  const location = { address1: p.address1, city: p.city, country: p.country, region: p.province, zip: p.zip, timezone: p.timezone };
  const hasLocation = Object.values(location).some((v) => v);
  return {
    ...(p.email ? { email: normEmail(p.email)! } : {}),
    ...(p.phone ? { phoneNumber: p.phone } : {}),
    ...(p.firstName ? { firstName: p.firstName } : {}),
    ...(p.lastName ? { lastName: p.lastName } : {}),
    ...(p.locale ? { locale: p.locale } : {}),
    ...(hasLocation ? { location: Object.fromEntries(Object.entries(location).filter(([, v]) => v)) } : {}),
    properties: { winback_customer_id: p.customerId, ...(p.properties ?? {}) },
  };
}

/** Splits profiles into import jobs under both the count and the (estimated) size limit. */
export function importBatches(profiles: readonly WinbackProfile[], limits = KLAVIYO_LIMITS): WinbackProfile[][] {
  const batches: WinbackProfile[][] = [];
  let current: WinbackProfile[] = [];
  let bytes = 512; // the envelope
  for (const p of profiles) {
    const size = Buffer.byteLength(JSON.stringify(profileAttributes(p))) + 64;
    if (current.length && (current.length >= limits.bulkImportProfiles || bytes + size > limits.bulkImportBytes * 0.9)) {
      batches.push(current);
      current = [];
      bytes = 512;
    }
    current.push(p);
    bytes += size;
  }
  if (current.length) batches.push(current);
  return batches;
}

export type ProfileSyncResult = { jobs: number; profiles: number; skipped: number };

export async function syncProfiles(client: KlaviyoClient, profiles: readonly WinbackProfile[]): Promise<Result<ProfileSyncResult, KlaviyoError>> {
  const usable = profiles.filter((p) => p.email || p.phone);
  let jobs = 0;
  for (const batch of importBatches(usable)) {
    const r = await client.call("bulk profile import", () =>
      client.profiles.bulkImportProfiles({
        data: { type: "profile-bulk-import-job", attributes: { profiles: { data: batch.map((p) => ({ type: "profile" as const, attributes: profileAttributes(p) })) } } },
      }),
    );
    if (!r.ok) return r;
    jobs++;
  }
  return ok({ jobs, profiles: usable.length, skipped: profiles.length - usable.length });
}

export type ConsentSyncResult = { subscribeJobs: number; unsubscribeJobs: number; subscribed: number; unsubscribed: number };

type SubscribeEntry = { email?: string; phoneNumber?: string; email_at?: Date | null; sms_at?: Date | null; channels: Set<"email" | "sms"> };

export async function syncConsent(client: KlaviyoClient, people: readonly ConsentSource[], now: Date): Promise<Result<ConsentSyncResult, KlaviyoError>> {
  // Historical imports (consent time known) and live subscribes go in separate jobs:
  // `historical_import` applies to a whole job and needs every consented_at.
  const historical: SubscribeEntry[] = [];
  const live: SubscribeEntry[] = [];
  const unsubscribe: SubscribeEntry[] = [];
  for (const c of people) {
    const changes = klaviyoConsentChanges(c, now);
    const sub: SubscribeEntry = { channels: new Set() };
    const subLive: SubscribeEntry = { channels: new Set() };
    const unsub: SubscribeEntry = { channels: new Set() };
    for (const ch of changes) {
      const target = ch.action === "unsubscribe" ? unsub : ch.consentedAt ? sub : subLive;
      target.channels.add(ch.channel);
      if (ch.channel === "email") {
        target.email = normEmail(c.email)!;
        target.email_at = ch.consentedAt;
      } else {
        target.phoneNumber = c.phone!;
        target.sms_at = ch.consentedAt;
      }
    }
    if (sub.channels.size) historical.push(sub);
    if (subLive.channels.size) live.push(subLive);
    if (unsub.channels.size) unsubscribe.push(unsub);
  }

  const result: ConsentSyncResult = { subscribeJobs: 0, unsubscribeJobs: 0, subscribed: historical.length + live.length, unsubscribed: unsubscribe.length };
  for (const [entries, isHistorical] of [[historical, true], [live, false]] as const) {
    for (const batch of chunk(entries, KLAVIYO_LIMITS.bulkSubscribeProfiles)) {
      const r = await client.call("bulk subscribe", () =>
        client.profiles.bulkSubscribeProfiles({
          data: {
            type: "profile-subscription-bulk-create-job",
            attributes: {
              customSource: "Winback",
              historicalImport: isHistorical,
              profiles: {
                data: batch.map((e) => ({
                  type: "profile" as const,
                  attributes: {
                    ...(e.email ? { email: e.email } : {}),
                    ...(e.phoneNumber ? { phoneNumber: e.phoneNumber } : {}),
                    subscriptions: {
                      ...(e.channels.has("email") ? { email: { marketing: { consent: "SUBSCRIBED" as const, ...(e.email_at ? { consentedAt: e.email_at } : {}) } } } : {}),
                      ...(e.channels.has("sms") ? { sms: { marketing: { consent: "SUBSCRIBED" as const, ...(e.sms_at ? { consentedAt: e.sms_at } : {}) } } } : {}),
                    },
                  },
                })),
              },
            },
          },
        }),
      );
      if (!r.ok) return r;
      result.subscribeJobs++;
    }
  }
  for (const batch of chunk(unsubscribe, KLAVIYO_LIMITS.bulkUnsubscribeProfiles)) {
    // No list: a global unsubscribe, which is what our `unsubscribed` means.
    const r = await client.call("bulk unsubscribe", () =>
      client.profiles.bulkUnsubscribeProfiles({
        data: {
          type: "profile-subscription-bulk-delete-job",
          attributes: {
            profiles: {
              data: batch.map((e) => ({
                type: "profile" as const,
                attributes: {
                  ...(e.email ? { email: e.email } : {}),
                  ...(e.phoneNumber ? { phoneNumber: e.phoneNumber } : {}),
                  subscriptions: {
                    ...(e.channels.has("email") ? { email: { marketing: { consent: "UNSUBSCRIBED" as const } } } : {}),
                    ...(e.channels.has("sms") ? { sms: { marketing: { consent: "UNSUBSCRIBED" as const } } } : {}),
                  },
                },
              })),
            },
          },
        },
      }),
    );
    if (!r.ok) return r;
    result.unsubscribeJobs++;
  }
  return ok(result);
}

// ---------------------------------------------------------------------------------------
// Segment lists.

/** The Klaviyo list name for a Winback segment; the id keeps it stable if two segments share a name. */
export function segmentListName(segment: { id: string; name: string }): string {
  return `Winback: ${segment.name} (#${segment.id})`;
}

const cursorOf = (next: string | undefined | null): string | null => {
  if (!next) return null;
  try {
    return new URL(next).searchParams.get("page[cursor]");
  } catch {
    return next;
  }
};

type Page = { data: Array<{ id?: string; attributes?: { email?: string | null; phoneNumber?: string | null } }>; links?: { next?: string | null } };

export async function ensureList(client: KlaviyoClient, name: string): Promise<Result<string, KlaviyoError>> {
  const found = await client.call("get lists", () => client.lists.getLists({ filter: `equals(name,${JSON.stringify(name)})`, fieldsList: ["name"] }));
  if (!found.ok) return found;
  const existing = (found.value.body as unknown as Page).data.find((l) => l.id);
  if (existing?.id) return ok(existing.id);
  const created = await client.call("create list", () => client.lists.createList({ data: { type: "list", attributes: { name } } }));
  if (!created.ok) return created;
  return ok(created.value.body.data.id);
}

/** Identifier we match on: the lower-cased email, else the phone. */
export type ListMember = { email?: string | null; phone?: string | null };
const memberKey = (m: { email?: string | null; phone?: string | null; phoneNumber?: string | null }) =>
  normEmail(m.email) ? `e:${normEmail(m.email)}` : (m.phone ?? m.phoneNumber) ? `p:${m.phone ?? m.phoneNumber}` : null;

async function listMembers(client: KlaviyoClient, listId: string): Promise<Result<Map<string, string>, KlaviyoError>> {
  const members = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const c: string | null = cursor;
    const r = await client.call("get list profiles", () =>
      client.lists.getProfilesForList(listId, { fieldsProfile: ["email", "phone_number"], pageSize: KLAVIYO_LIMITS.pageSize, ...(c ? { pageCursor: c } : {}) }),
    );
    if (!r.ok) return r;
    const page = r.value.body as unknown as Page;
    for (const p of page.data) {
      const key = p.attributes ? memberKey(p.attributes) : null;
      if (key && p.id) members.set(key, p.id);
    }
    cursor = cursorOf(page.links?.next);
  } while (cursor);
  return ok(members);
}

async function resolveProfileIds(client: KlaviyoClient, keys: string[]): Promise<Result<Map<string, string>, KlaviyoError>> {
  const found = new Map<string, string>();
  const emails = keys.filter((k) => k.startsWith("e:")).map((k) => k.slice(2));
  const phones = keys.filter((k) => k.startsWith("p:")).map((k) => k.slice(2));
  for (const [field, values, prefix] of [["email", emails, "e:"], ["phone_number", phones, "p:"]] as const) {
    for (const batch of chunk(values, KLAVIYO_LIMITS.filterValues)) {
      const r = await client.call("get profiles", () =>
        client.profiles.getProfiles({ filter: `any(${field},${JSON.stringify(batch)})`, fieldsProfile: ["email", "phone_number"], pageSize: KLAVIYO_LIMITS.pageSize }),
      );
      if (!r.ok) return r;
      for (const p of (r.value.body as unknown as Page).data) {
        const v = field === "email" ? normEmail(p.attributes?.email) : p.attributes?.phoneNumber;
        if (v && p.id) found.set(`${prefix}${v}`, p.id);
      }
    }
  }
  return ok(found);
}

export type ListSyncResult = { listId: string; added: number; removed: number; unchanged: number; notInKlaviyo: number };

/**
 * Makes the segment's Klaviyo list hold exactly `members`. Members Klaviyo has no profile for
 * yet are counted in `notInKlaviyo` (run syncProfiles first).
 */
export async function syncSegmentList(client: KlaviyoClient, segment: { id: string; name: string }, members: readonly ListMember[]): Promise<Result<ListSyncResult, KlaviyoError>> {
  const listId = await ensureList(client, segmentListName(segment));
  if (!listId.ok) return listId;
  const current = await listMembers(client, listId.value);
  if (!current.ok) return current;

  const wanted = new Set(members.map(memberKey).filter((k): k is string => k !== null));
  const toRemove = [...current.value].filter(([k]) => !wanted.has(k)).map(([, id]) => id);
  const missingKeys = [...wanted].filter((k) => !current.value.has(k));
  const resolved = missingKeys.length ? await resolveProfileIds(client, missingKeys) : ok(new Map<string, string>());
  if (!resolved.ok) return resolved;
  const toAdd = [...new Set(missingKeys.map((k) => resolved.value.get(k)).filter((id): id is string => !!id))];

  for (const batch of chunk(toAdd, KLAVIYO_LIMITS.listMembersPerCall)) {
    const r = await client.call("add profiles to list", () => client.lists.addProfilesToList(listId.value, { data: batch.map((id) => ({ type: "profile" as const, id })) }));
    if (!r.ok) return r;
  }
  for (const batch of chunk(toRemove, KLAVIYO_LIMITS.listMembersPerCall)) {
    const r = await client.call("remove profiles from list", () => client.lists.removeProfilesFromList(listId.value, { data: batch.map((id) => ({ type: "profile" as const, id })) }));
    if (!r.ok) return r;
  }
  return ok({ listId: listId.value, added: toAdd.length, removed: toRemove.length, unchanged: wanted.size - missingKeys.length, notInKlaviyo: missingKeys.length - resolved.value.size });
}

