import { describe, expect, it } from "vitest";
import { creditOrders } from "../../../core/attribution/credit";
import { DEFAULT_WINDOWS, type AttributableOrder, type IssuedCode, type Touch } from "../../../core/attribution/schema";

const DAY = 86_400_000;
const placedAt = new Date("2026-05-10T12:00:00.000Z");
const before = (ms: number) => new Date(placedAt.getTime() - ms);
const order = (over: Partial<AttributableOrder> = {}): AttributableOrder => ({
  orderId: "o1",
  customerId: "c1",
  placedAt,
  discountCodes: [],
  totalMinor: 5000,
  refundedMinor: 0,
  cancelledAt: null,
  ...over,
});
const touch = (messageId: string, kind: Touch["kind"], ago: number, customerId = "c1"): Touch => ({ messageId, customerId, kind, at: before(ago) });
const code = (c: string, messageId: string, ago = 3 * DAY): IssuedCode => ({ code: c, messageId, customerId: "c1", issuedAt: before(ago) });

describe("creditOrders", () => {
  it.each([
    ["click exactly 5 days before", [touch("m1", "click", 5 * DAY)], "m1"],
    ["click 5 days + 1 ms before", [touch("m1", "click", 5 * DAY + 1)], null],
    ["open exactly 1 day before", [touch("m1", "open", DAY)], "m1"],
    ["open 1 day + 1 ms before", [touch("m1", "open", DAY + 1)], null],
    ["click at the same instant", [touch("m1", "click", 0)], "m1"],
    ["click 1 ms after the order", [touch("m1", "click", -1)], null],
    ["another customer's click", [touch("m1", "click", DAY, "c2")], null],
    ["last of several touches", [touch("m1", "click", 4 * DAY), touch("m2", "click", 2 * DAY), touch("m3", "open", 3 * DAY)], "m2"],
    ["a later open beats an earlier click", [touch("m1", "click", 2 * DAY), touch("m2", "open", 3600_000)], "m2"],
    ["a click beats an open at the same instant", [touch("m2", "open", DAY / 2), touch("m1", "click", DAY / 2)], "m1"],
    ["an expired open does not hide an older click", [touch("m1", "click", 3 * DAY), touch("m2", "open", 2 * DAY)], "m1"],
  ])("%s", (_name, touches, messageId) => {
    const credits = creditOrders([order()], touches, [], DEFAULT_WINDOWS);
    expect(credits.map((c) => c.messageId)).toEqual(messageId ? [messageId] : []);
  });

  it("uses the shop's own windows", () => {
    const touches = [touch("m1", "click", 6 * DAY)];
    expect(creditOrders([order()], touches, [], DEFAULT_WINDOWS)).toHaveLength(0);
    expect(creditOrders([order()], touches, [], { ...DEFAULT_WINDOWS, clickWindowMs: 7 * DAY })).toHaveLength(1);
  });

  it("credits a Winback code over a later click on another message", () => {
    const credits = creditOrders([order({ discountCodes: ["wb-abc"] })], [touch("m2", "click", 3600_000)], [code("WB-ABC", "m1")], DEFAULT_WINDOWS);
    expect(credits).toMatchObject([{ messageId: "m1", basis: "code" }]);
  });

  it("credits a code used outside every touch window", () => {
    const credits = creditOrders([order({ discountCodes: ["WB-ABC"] })], [], [code("WB-ABC", "m1", 20 * DAY)], DEFAULT_WINDOWS);
    expect(credits).toMatchObject([{ messageId: "m1", basis: "code" }]);
  });

  it("ignores codes that are not Winback's, and codes issued after the order", () => {
    const credits = creditOrders(
      [order({ discountCodes: ["SUMMER10", "WB-LATE"] })],
      [touch("m3", "click", DAY)],
      [code("WB-LATE", "m1", -DAY)],
      DEFAULT_WINDOWS,
    );
    expect(credits).toMatchObject([{ messageId: "m3", basis: "click" }]);
  });

  it("credits each order once, from its latest version", () => {
    const credits = creditOrders([order(), order({ totalMinor: 7000 })], [touch("m1", "click", DAY)], [], DEFAULT_WINDOWS);
    expect(credits).toHaveLength(1);
    expect(credits[0].creditedMinor).toBe(7000);
  });

  it.each([
    ["kept", {}, "active", 5000],
    ["partly refunded", { refundedMinor: 1500 }, "active", 3500],
    ["fully refunded", { refundedMinor: 5000 }, "reversed", 0],
    ["cancelled", { cancelledAt: new Date(placedAt.getTime() + DAY) }, "reversed", 0],
  ] as const)("an order %s is credited as %s", (_name, over, status, credited) => {
    const credits = creditOrders([order({ ...over, discountCodes: ["WB-ABC"] })], [], [code("WB-ABC", "m1")], DEFAULT_WINDOWS);
    expect(credits).toMatchObject([{ messageId: "m1", status, creditedMinor: credited }]);
  });

  it("does not credit orders without a customer by touch", () => {
    expect(creditOrders([order({ customerId: null })], [touch("m1", "click", DAY)], [], DEFAULT_WINDOWS)).toHaveLength(0);
  });
});
