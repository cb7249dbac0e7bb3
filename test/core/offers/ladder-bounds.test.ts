import { describe, expect, it } from "vitest";
import { allowedOffers, withinBounds } from "../../../core/offers/bounds";
import { discountCost } from "../../../core/offers/cost";
import { nextLadderStep } from "../../../core/offers/ladder";
import { merchantBoundsSchema, offerLadderSchema, offerSchema, type Offer } from "../../../core/offers/schema";

const catalogue: Offer[] = [
  { kind: "none", id: "none" },
  ...[10, 15, 20, 30].map((percent) => offerSchema.parse({ kind: "percentage", id: `pct${percent}`, percent })),
  offerSchema.parse({ kind: "fixed_amount", id: "fixed20", amountMinor: 2000, minimumOrderMinor: 5000 }),
  offerSchema.parse({ kind: "free_shipping", id: "freeship" }),
];
const bounds = merchantBoundsSchema.parse({
  allowedOfferIds: ["none", "pct10", "pct15", "pct20", "pct30", "fixed20", "freeship"],
  maxPercent: 20,
  maxFixedAmountMinor: 1500,
  allowFreeShipping: false,
});

describe("merchant bounds", () => {
  it("keeps only offers within every bound", () => {
    expect(allowedOffers(catalogue, bounds).map((o) => o.id)).toEqual(["none", "pct10", "pct15", "pct20"]);
  });
  it("refuses offers the merchant did not allow, even small ones", () => {
    expect(withinBounds(catalogue[1], { ...bounds, allowedOfferIds: ["none"] }).ok).toBe(false);
  });
});

describe("discountCost", () => {
  const order = { eligibleSubtotalMinor: 4000, subtotalMinor: 6000, shippingMinor: 700 };
  it.each([
    ["none", 0],
    ["pct15", 600],
    ["fixed20", 2000],
    ["freeship", 700],
  ])("%s costs %i on a 60.00 order with 40.00 eligible", (id, cost) => {
    expect(discountCost(catalogue.find((o) => o.id === id)!, order)).toBe(cost);
  });
  it("costs nothing below the minimum order", () => {
    expect(discountCost(catalogue.find((o) => o.id === "fixed20")!, { ...order, subtotalMinor: 4999 })).toBe(0);
  });
});

describe("ladder", () => {
  const ladder = offerLadderSchema.parse({ id: "climb", steps: ["pct10", "pct15", "pct20"], waitDays: 7 });
  const sent = new Date("2026-01-01T00:00:00Z");
  const at = (days: number) => new Date(sent.getTime() + days * 86_400_000);

  it.each([
    ["nothing sent yet", { lastStep: null, lastSentAt: null, responded: false }, at(0), { kind: "send", step: 0 }],
    ["waiting on step 0", { lastStep: 0, lastSentAt: sent, responded: false }, at(6.99), { kind: "wait" }],
    ["step 0 unanswered", { lastStep: 0, lastSentAt: sent, responded: false }, at(7), { kind: "send", step: 1 }],
    ["step 0 answered", { lastStep: 0, lastSentAt: sent, responded: true }, at(30), { kind: "stop", reason: "responded" }],
    ["top step unanswered", { lastStep: 2, lastSentAt: sent, responded: false }, at(30), { kind: "stop", reason: "ladder_exhausted" }],
  ] as const)("%s", (_name, history, now, expected) => {
    const r = nextLadderStep(ladder, catalogue, bounds, history, now);
    expect(r.ok && r.value).toMatchObject(expected);
  });

  it("never escalates past the merchant's bound", () => {
    const steep = offerLadderSchema.parse({ id: "steep", steps: ["pct20", "pct30"] });
    const r = nextLadderStep(steep, catalogue, bounds, { lastStep: 0, lastSentAt: sent, responded: false }, at(8));
    expect(r.ok).toBe(false);
  });

  it("rejects a ladder with a repeated step", () => {
    expect(offerLadderSchema.safeParse({ id: "x", steps: ["pct10", "pct10"] }).success).toBe(false);
  });
});
