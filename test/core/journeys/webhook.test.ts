// The webhook and notify nodes' pure rules, table-driven on a simulated clock: which URLs
// may be called, which addresses are refused after DNS, the body (only chosen fields), the
// signature, how outcomes are classified, the retry schedule; notification Liquid.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { notifyTemplateErrors, renderNotification } from "../../../core/journeys/notify";
import { validateJourney } from "../../../core/journeys/validate";
import {
  blockedAddress, checkWebhookUrl, classifyCall, nextAttemptAt, signWebhook, webhookBody, type CallOutcome,
} from "../../../core/journeys/webhook";

describe("checkWebhookUrl", () => {
  const table: [string, boolean, string | null][] = [
    // url, allowLocalhost, expected error fragment (null = accepted)
    ["https://hooks.example.com/winback", false, null],
    ["https://hooks.example.com:8443/x?y=1", false, null],
    ["http://hooks.example.com/winback", false, "https"],
    ["ftp://hooks.example.com/", false, "https"],
    ["https://user:pw@hooks.example.com/", false, "credentials"],
    ["not a url", false, "valid URL"],
    ["http://localhost:3000/hook", false, "localhost"],
    ["http://localhost:3000/hook", true, null],
    ["http://127.0.0.1:9/hook", true, null],
    ["http://[::1]:9/hook", true, null],
    ["https://127.0.0.1/hook", false, "localhost"],
    ["https://10.1.2.3/hook", true, "private"],
    ["https://192.168.0.10/hook", false, "private"],
    ["https://172.20.0.1/hook", false, "private"],
    ["https://169.254.169.254/latest/meta-data", true, "link-local"],
    ["https://[fe80::1]/hook", false, "link-local"],
    ["https://[fd00::1]/hook", false, "private"],
    ["https://[::ffff:10.0.0.1]/hook", false, "private"],
    ["https://100.64.0.1/hook", false, "CGNAT"],
    ["https://8.8.8.8/hook", false, null],
    ["https://intranet/hook", false, "public host"],
    ["https://db.internal/hook", false, "private host"],
  ];
  for (const [url, allowLocalhost, expected] of table) {
    it(`${url} (localhost ${allowLocalhost ? "allowed" : "refused"})`, () => {
      const r = checkWebhookUrl(url, { allowLocalhost });
      if (expected === null) expect(r.ok, JSON.stringify(r)).toBe(true);
      else {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error).toContain(expected);
      }
    });
  }
});

describe("blockedAddress (after DNS)", () => {
  const table: [string, boolean, string | null][] = [
    ["93.184.216.34", false, null], ["2606:2800:220:1::1", false, null],
    ["127.0.0.1", false, "loopback"], ["127.0.0.1", true, null], ["::1", false, "loopback"], ["::1", true, null],
    ["10.0.0.5", true, "private"], ["172.31.255.255", false, "private"], ["172.32.0.1", false, null], ["192.168.1.1", false, "private"],
    ["169.254.169.254", true, "link-local"], ["0.0.0.0", true, "unspecified"], ["::", false, "unspecified"],
    ["fe80::abcd", false, "link-local"], ["fc00::1", false, "private"], ["::ffff:192.168.1.1", false, "private"],
    ["::ffff:c0a8:0101", false, "private"], ["224.0.0.1", false, "multicast"], ["100.100.0.1", false, "CGNAT"],
  ];
  for (const [ip, allowLocalhost, expected] of table) {
    it(`${ip}${allowLocalhost ? " (dev)" : ""}`, () => {
      const why = blockedAddress(ip, { allowLocalhost });
      if (expected === null) expect(why).toBeNull();
      else expect(why).toContain(expected);
    });
  }
});

describe("webhookBody", () => {
  const customer = { email: "ann@example.com", phone: "+12125550100", first_name: "Ann", last_name: "Lee", tags: ["vip"], zip: "10001" };
  const base = {
    idempotencyKey: "42:hook:1", occurredAt: new Date("2026-03-08T12:00:00Z"), journey: { id: "7", version: 3, name: "Win-back" },
    node: { id: "hook", label: "Tell the CRM" }, enrollmentId: "42", customerId: "99", customer,
  };
  const table: [string, string[], Record<string, unknown>][] = [
    ["no fields: the id only", [], { id: "99" }],
    ["email only", ["email"], { id: "99", email: "ann@example.com" }],
    ["names and tags", ["first_name", "last_name", "tags"], { id: "99", first_name: "Ann", last_name: "Lee", tags: ["vip"] }],
    ["a field the customer lacks is null", ["city"], { id: "99", city: null }],
    ["an unknown field is ignored", ["password"], { id: "99" }],
  ];
  for (const [name, fields, expected] of table) {
    it(name, () => {
      const b = webhookBody({ ...base, fields: fields as never });
      expect(b.customer).toEqual(expected);
      expect(b).toMatchObject({ id: "42:hook:1", type: "journey.webhook", occurred_at: "2026-03-08T12:00:00.000Z", journey: { id: "7", version: 3 }, node: { id: "hook", label: "Tell the CRM" }, enrollment_id: "42" });
      // Personal data not chosen never leaves.
      for (const [k, v] of Object.entries(customer)) if (!fields.includes(k)) expect(JSON.stringify(b)).not.toContain(JSON.stringify(v));
    });
  }
});

describe("signWebhook", () => {
  it("is HMAC-SHA256 over '<unix seconds>.<body>' with the shop's secret", () => {
    const at = new Date("2026-03-08T12:00:00.900Z");
    const sig = signWebhook("whsec_test", '{"a":1}', at);
    const t = Math.floor(at.getTime() / 1000);
    expect(sig).toBe(`t=${t},v1=${createHmac("sha256", "whsec_test").update(`${t}.{"a":1}`).digest("hex")}`);
    expect(signWebhook("other", '{"a":1}', at)).not.toBe(sig);
  });
});

describe("classifyCall", () => {
  const table: [CallOutcome, string][] = [
    [{ kind: "status", status: 200 }, "succeeded"], [{ kind: "status", status: 204 }, "succeeded"],
    [{ kind: "status", status: 500 }, "retry"], [{ kind: "status", status: 503 }, "retry"], [{ kind: "status", status: 429 }, "retry"],
    [{ kind: "status", status: 408 }, "retry"], [{ kind: "timeout" }, "retry"], [{ kind: "network", message: "ECONNREFUSED" }, "retry"],
    [{ kind: "status", status: 400 }, "permanent"], [{ kind: "status", status: 410 }, "permanent"], [{ kind: "status", status: 301 }, "permanent"],
    [{ kind: "blocked", message: "private" }, "permanent"],
  ];
  for (const [o, expected] of table) it(`${JSON.stringify(o)} -> ${expected}`, () => expect(classifyCall(o)).toBe(expected));
});

describe("nextAttemptAt (simulated clock)", () => {
  const policy = { maxAttempts: 5, baseMs: 30_000, maxMs: 120_000 };
  const now = new Date("2026-03-08T12:00:00Z");
  const table: [number, number | null][] = [[1, 30_000], [2, 60_000], [3, 120_000], [4, 120_000], [5, null], [9, null]];
  for (const [attempt, delay] of table) {
    it(`after attempt ${attempt}: ${delay === null ? "give up" : `${delay} ms`}`, () => {
      const at = nextAttemptAt(attempt, now, policy);
      expect(at === null ? null : at.getTime() - now.getTime()).toBe(delay);
    });
  }
});

describe("publish validation of webhook and notify nodes", () => {
  const journey = (node: Record<string, unknown>) => ({
    id: "j", version: 1, name: "J", trigger: { kind: "custom_event", name: "x" }, startNodeId: "n",
    nodes: [{ id: "n", next: "end", ...node }, { id: "end", type: "exit" }],
  });
  it("names the node whose URL may not be called, and allows localhost only where the shell says so", () => {
    const bad = validateJourney(journey({ type: "webhook", url: "https://169.254.169.254/x" }));
    expect(bad.ok ? [] : bad.error).toEqual([{ nodeId: "n", message: "webhook url points at a link-local address", field: "url" }]);
    expect(validateJourney(journey({ type: "webhook", url: "http://localhost:4000/x" })).ok).toBe(false);
    expect(validateJourney(journey({ type: "webhook", url: "http://localhost:4000/x" }), { allowLocalhostWebhooks: true }).ok).toBe(true);
    expect(validateJourney(journey({ type: "webhook", url: "https://crm.example.com/x", fields: ["email"] })).ok).toBe(true);
    expect(validateJourney(journey({ type: "webhook", url: "https://crm.example.com/x", fields: ["ssn"] })).ok).toBe(false);
  });
  it("rejects notification Liquid naming an unknown variable or a forbidden tag", () => {
    const errors = notifyTemplateErrors({ nodes: [
      { id: "ok", type: "notify_merchant", message: "{{ customer.first_name | default: 'Someone' }} is back", email: true },
      { id: "typo", type: "notify_merchant", message: "{{ customer.frist_name }}", email: true },
      { id: "tag", type: "notify_merchant", message: "hi", subject: "{% include 'x' %}", email: false },
    ] });
    expect(errors.map((e) => e.nodeId)).toEqual(["typo", "tag"]);
    // Each names the field it is in, so the editor shows it there.
    expect(errors.map((e) => e.field)).toEqual(["message", "subject"]);
    expect(errors[0].message).toContain("customer.frist_name");
  });
});

describe("renderNotification", () => {
  const vars = { customer: { first_name: "Zoë", email: "zoe@example.com", orders_count: 3 }, shop: { name: "Café" } };
  const table: [string, { message: string; subject?: string }, { subject: string; text: string }][] = [
    ["variables", { message: "{{ customer.first_name }} ({{ customer.email }}) has {{ customer.orders_count }} orders at {{ shop.name }}" },
      { subject: "Winback: Win-back", text: "Zoë (zoe@example.com) has 3 orders at Café" }],
    ["a blank value renders empty, so default works", { message: "{{ customer.last_name | default: '(no last name)' }}", subject: "VIP {{ customer.first_name }}\nalert" },
      { subject: "VIP Zoë alert", text: "(no last name)" }],
  ];
  for (const [name, node, expected] of table) {
    it(name, () => expect(renderNotification({ ...node, journeyName: "Win-back" }, vars)).toEqual({ ok: true, value: expected }));
  }
});
