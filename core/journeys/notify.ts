// The "notify the merchant" node, pure parts: its message and subject are Liquid with the
// customer's variables (the same sandboxed engine and variable list as message content,
// core/content/personalise.ts), checked on publish and rendered per customer.
import { compileTemplate, renderTemplate } from "../content/personalise";
import { err, ok, type Result } from "../result";
import type { Journey } from "./schema";
import type { ValidationError } from "./validate";

/** Liquid problems in the journey's notify nodes, each naming its node. */
export function notifyTemplateErrors(journey: Pick<Journey, "nodes">): ValidationError[] {
  const out: ValidationError[] = [];
  for (const n of journey.nodes) {
    if (n.type !== "notify_merchant") continue;
    for (const [what, src] of [["message", n.message], ["subject", n.subject ?? ""]] as const) {
      const t = compileTemplate(src, { mode: "text" });
      if (!t.ok) out.push({ nodeId: n.id, message: `${what}: ${t.error.map((i) => i.message).join("; ")}`, field: what });
    }
  }
  return out;
}

export interface NotificationVars {
  customer: Record<string, string | number | null | undefined>;
  shop: Record<string, string | null | undefined>;
}

export interface RenderedNotification {
  subject: string;
  text: string;
}

const CUSTOMER_LEAVES = ["first_name", "last_name", "email", "phone", "locale", "orders_count", "total_spent", "days_since_last_order"];
const SHOP_LEAVES = ["name", "url", "email", "phone", "postal_address", "currency"];

/**
 * Renders a notification. A value the customer lacks renders empty (so `| default:` works)
 * instead of failing: the merchant should hear about the customer even when a field is blank.
 */
export function renderNotification(
  node: { message: string; subject?: string; journeyName: string }, vars: NotificationVars,
): Result<RenderedNotification, string> {
  const fill = (leaves: string[], given: Record<string, unknown>) =>
    Object.fromEntries(leaves.map((k) => [k, given[k] === null || given[k] === undefined ? "" : given[k]]));
  const data = { customer: fill(CUSTOMER_LEAVES, vars.customer), shop: fill(SHOP_LEAVES, vars.shop) };
  const render = (src: string): Result<string, string> => {
    const t = compileTemplate(src, { mode: "text" });
    if (!t.ok) return err(t.error.map((i) => i.message).join("; "));
    const r = renderTemplate(t.value, data);
    return r.ok ? ok(r.value.trim()) : err(r.error.message);
  };
  const text = render(node.message);
  if (!text.ok) return text;
  const subject = node.subject && node.subject.trim() !== "" ? render(node.subject) : ok(`Winback: ${node.journeyName}`);
  if (!subject.ok) return subject;
  // A subject is one line.
  return ok({ subject: subject.value.replace(/\s+/g, " ").slice(0, 200), text: text.value });
}
