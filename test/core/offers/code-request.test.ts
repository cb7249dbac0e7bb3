import { describe, expect, it } from "vitest";
import { batchCodeRequests, codeRequestFor, type CodeRequest } from "../../../core/offers/code-request";
import { offerSchema, type Offer } from "../../../core/offers/schema";

const pct15 = offerSchema.parse({ kind: "percentage", id: "pct15", percent: 15, expiresInDays: 10 });
const freeShip = offerSchema.parse({ kind: "free_shipping", id: "freeship" });
const customer = { shopId: 7, customerId: "123", externalCustomerId: "gid://shopify/Customer/9" };
const now = new Date("2026-03-01T12:00:00.000Z");

function must(r: ReturnType<typeof codeRequestFor>): CodeRequest {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe("codeRequestFor", () => {
  it("rebuilds the same code and key on a retry, even later", () => {
    const first = must(codeRequestFor("send-1", pct15, customer, now));
    const retry = must(codeRequestFor("send-1", pct15, customer, new Date(now.getTime() + 60_000)));
    expect(retry.code).toBe(first.code);
    expect(retry.idempotencyKey).toBe(first.idempotencyKey);
    expect(first.code).toMatch(/^WB-[0-9A-HJKMNP-TV-Z]{10}$/);
  });

  it.each([
    ["another send", "send-2", pct15, customer],
    ["another shop", "send-1", pct15, { ...customer, shopId: 8 }],
    ["another offer", "send-1", freeShip, customer],
  ] as const)("gives a different code for %s", (_name, key, offer, who) => {
    const base = must(codeRequestFor("send-1", pct15, customer, now));
    const other = must(codeRequestFor(key, offer as Offer, who, now));
    expect(other.code).not.toBe(base.code);
    expect(other.idempotencyKey).not.toBe(base.idempotencyKey);
  });

  it("expires the offer's days after issue", () => {
    const r = must(codeRequestFor("send-1", pct15, customer, now));
    expect(r.expiresAt.getTime() - now.getTime()).toBe(10 * 86_400_000);
    expect(r.customerId).toBe("123");
  });

  it.each([
    ["the no-offer arm", "send-1", { kind: "none", id: "none" } as Offer],
    ["an empty send key", "", pct15],
  ])("refuses %s", (_name, key, offer) => {
    expect(codeRequestFor(key, offer, customer, now).ok).toBe(false);
  });

  it("gives distinct codes across many sends", () => {
    const codes = new Set(Array.from({ length: 5000 }, (_, i) => must(codeRequestFor(`s${i}`, pct15, customer, now)).code));
    expect(codes.size).toBe(5000);
  });
});

describe("batchCodeRequests", () => {
  const requests = (n: number, offer: Offer, day = now) =>
    Array.from({ length: n }, (_, i) => must(codeRequestFor(`${offer.id}-${i}`, offer, customer, day)));

  it.each([
    [1, [1]],
    [250, [250]],
    [251, [250, 1]],
    [600, [250, 250, 100]],
  ])("splits %i codes of one discount into %j", (n, sizes) => {
    expect(batchCodeRequests(requests(n, pct15)).map((b) => b.requests.length)).toEqual(sizes);
  });

  it("keeps different offers and expiry days in different batches", () => {
    const later = new Date(now.getTime() + 2 * 86_400_000);
    const batches = batchCodeRequests([...requests(3, pct15), ...requests(2, freeShip), ...requests(4, pct15, later).map((r, i) => ({ ...r, idempotencyKey: `x${i}` }))]);
    expect(batches.map((b) => [b.offerId, b.expiresOn, b.requests.length])).toEqual([
      ["pct15", "2026-03-11", 3],
      ["freeship", "2026-03-15", 2],
      ["pct15", "2026-03-13", 4],
    ]);
  });

  it("drops a retried send queued twice", () => {
    const one = requests(3, pct15);
    const batches = batchCodeRequests([...one, one[1]]);
    expect(batches.flatMap((b) => b.requests.map((r) => r.idempotencyKey))).toEqual(one.map((r) => r.idempotencyKey));
  });
});
