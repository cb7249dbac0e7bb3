// Attribution rules, the reference implementation (sql.ts must agree with it):
// 1. an order that used a code Winback issued is credited to the message that carried the code;
// 2. otherwise to the customer's last Winback touch before the order: a click within the click
//    window or an open within the open window (both inclusive at the edge, per shop);
// 3. each order is credited at most once; cancellation or full refund reverses the credit and a
//    partial refund reduces it.
import { assertNever } from "../result";
import type { AttributableOrder, AttributionWindows, Credit, CreditBasis, IssuedCode, Touch } from "./schema";

// Ties at the same instant go to the stronger signal, then to the larger message id so the
// answer never depends on input order.
const BASIS_RANK: Record<CreditBasis, number> = { code: 3, click: 2, open: 1 };

interface Candidate {
  messageId: string;
  basis: CreditBasis;
  at: Date;
}

function better(a: Candidate, b: Candidate | null): boolean {
  if (!b) return true;
  if (BASIS_RANK[a.basis] !== BASIS_RANK[b.basis]) return BASIS_RANK[a.basis] > BASIS_RANK[b.basis];
  if (a.at.getTime() !== b.at.getTime()) return a.at.getTime() > b.at.getTime();
  return a.messageId > b.messageId;
}

function windowFor(kind: Touch["kind"], windows: AttributionWindows): number {
  switch (kind) {
    case "click":
      return windows.clickWindowMs;
    case "open":
      return windows.openWindowMs;
    default:
      return assertNever(kind, "touch kind");
  }
}

const normaliseCode = (code: string) => code.trim().toUpperCase();

export function creditOrders(
  orders: readonly AttributableOrder[],
  touches: readonly Touch[],
  codes: readonly IssuedCode[],
  windows: AttributionWindows,
): Credit[] {
  const codeIndex = new Map<string, IssuedCode>();
  for (const c of codes) codeIndex.set(normaliseCode(c.code), c);
  const touchesByCustomer = new Map<string, Touch[]>();
  for (const t of touches) {
    const list = touchesByCustomer.get(t.customerId);
    if (list) list.push(t);
    else touchesByCustomer.set(t.customerId, [t]);
  }

  // An order seen twice (a re-imported or updated row) is credited once, from its latest version.
  const latest = new Map<string, AttributableOrder>();
  for (const o of orders) latest.set(o.orderId, o);

  const credits: Credit[] = [];
  for (const order of latest.values()) {
    const placed = order.placedAt.getTime();
    let best: Candidate | null = null;
    for (const raw of order.discountCodes) {
      const issued = codeIndex.get(normaliseCode(raw));
      // A code is only evidence if it existed when the order was placed.
      if (!issued || issued.issuedAt.getTime() > placed) continue;
      const cand: Candidate = { messageId: issued.messageId, basis: "code", at: issued.issuedAt };
      if (better(cand, best)) best = cand;
    }
    if (!best && order.customerId !== null) {
      for (const t of touchesByCustomer.get(order.customerId) ?? []) {
        const at = t.at.getTime();
        if (at > placed || placed - at > windowFor(t.kind, windows)) continue;
        // Recency decides among touches; the kind only breaks exact-time ties.
        const cand: Candidate = { messageId: t.messageId, basis: t.kind, at: t.at };
        if (!best || at > best.at.getTime() || (at === best.at.getTime() && better(cand, best))) best = cand;
      }
    }
    if (!best) continue;
    const net = Math.max(0, order.totalMinor - order.refundedMinor);
    const reversed = order.cancelledAt !== null || (order.refundedMinor > 0 && net === 0);
    credits.push({
      orderId: order.orderId,
      messageId: best.messageId,
      basis: best.basis,
      evidenceAt: best.at,
      creditedMinor: reversed ? 0 : net,
      status: reversed ? "reversed" : "active",
    });
  }
  return credits.sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
}
