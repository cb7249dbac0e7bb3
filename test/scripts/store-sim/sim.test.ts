import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_API_VERSION } from "../../../connectors/shopify/api-version";
import { createAdminGraphql, withheldFields } from "../../../connectors/shopify/client";
import { operation } from "../../../connectors/shopify/operations";
import { generateStore, pointShopifyClientsAt, startStoreSim, type StoreSim } from "../../../scripts/store-sim";

const TOKEN = "shpat_sim_token";
let sim: StoreSim;
let unpoint: () => void;

beforeAll(async () => {
  sim = await startStoreSim({ store: generateStore({ seed: 7, customers: 20 }), accessToken: TOKEN, bulk: { runningAfterMs: 300, completeAfterMs: 1500 } });
  unpoint = pointShopifyClientsAt(sim);
});
afterAll(async () => {
  unpoint();
  await sim.close();
});

async function post(body: unknown, token = TOKEN) {
  // Through the same redirection the official client uses.
  const res = await fetch(`https://${sim.shop}/admin/api/2026-10/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": token },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { data?: unknown; errors?: { message: string }[]; extensions?: { cost?: unknown } } };
}

describe("store simulator", () => {
  it("serves HTTPS on the shop's own host name", () => {
    expect(sim.https).toBe(true);
  });

  it("answers an invalid query with HTTP 200 and an errors array", async () => {
    const r = await post({ query: "{ shop { notAField } }" });
    expect(r.status).toBe(200);
    expect(r.json.data).toBeUndefined();
    expect(r.json.errors?.[0].message).toMatch(/notAField/);
  });

  it("refuses a wrong access token", async () => {
    expect((await post({ query: "{ shop { name } }" }, "nope")).status).toBe(401);
  });

  it("answers through the official client with the cost extension", async () => {
    const client = createAdminGraphql({ shop: sim.shop, accessToken: TOKEN });
    const r = await client.request<{ shop: { currencyCode: string; ianaTimezone: string; plan: { publicDisplayName: string } } }>(operation("shop-info"));
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.data.shop).toMatchObject({ currencyCode: "USD", ianaTimezone: "America/New_York", plan: { publicDisplayName: "Basic" } });
    expect(r.value.cost?.throttleStatus?.restoreRate).toBe(100);
  });

  it("withholds protected fields as null plus an ACCESS_DENIED error, and the client carries on", async () => {
    sim.setWithhold({ email: true });
    try {
      const client = createAdminGraphql({ shop: sim.shop, accessToken: TOKEN });
      const r = await client.request<{ customers: { nodes: { id: string; defaultEmailAddress: unknown; defaultPhoneNumber: unknown }[] } }>(operation("protected-fields-probe"));
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      expect(r.value.data.customers.nodes[0].defaultEmailAddress).toBeNull();
      expect([...withheldFields(r.value.errors)]).toEqual(["defaultEmailAddress"]);
    } finally {
      sim.setWithhold({});
    }
  });

  it("also works over plain HTTP, by swapping the library's fetch", async () => {
    const plain = await startStoreSim({ store: generateStore({ seed: 2, customers: 2, domain: "plain.myshopify.com" }), accessToken: TOKEN, https: false });
    unpoint();
    const un = pointShopifyClientsAt(plain);
    try {
      expect(plain.url.startsWith("http://")).toBe(true);
      const r = await createAdminGraphql({ shop: plain.shop, accessToken: TOKEN }).request<{ shop: { myshopifyDomain: string } }>(operation("shop-info"));
      expect(r.ok && r.value.data.shop.myshopifyDomain).toBe("plain.myshopify.com");
    } finally {
      un();
      unpoint = pointShopifyClientsAt(sim);
      await plain.close();
    }
  });

  it("gives a refused token back to the caller as a value", async () => {
    const r = await createAdminGraphql({ shop: sim.shop, accessToken: "revoked" }).request(operation("shop-info"));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ kind: "http", status: 401 });
  });

  it("retries transient 5xx answers with backoff", async () => {
    const waits: string[] = [];
    const client = createAdminGraphql({ shop: sim.shop, accessToken: TOKEN }, { sleep: async () => {}, onWait: (w) => waits.push(w) });
    sim.failNext(2);
    const r = await client.request(operation("shop-info"));
    expect(r.ok).toBe(true);
    expect(waits).toEqual(["transient", "transient"]);
  });
});

describe("store simulator contracts", () => {
  it("resolves the consent and discount operations the app will send", async () => {
    const client = createAdminGraphql({ shop: sim.shop, accessToken: TOKEN });
    const c = sim.state.store.customers.find((x) => x.email && x.phone)!;
    const id = `gid://shopify/Customer/${c.id}`;
    const email = await client.request<{ customerEmailMarketingConsentUpdate: { customer: { defaultEmailAddress: { marketingState: string } }; userErrors: unknown[] } }>(
      operation("customer-email-consent-update"),
      { input: { customerId: id, emailMarketingConsent: { marketingState: "UNSUBSCRIBED", consentUpdatedAt: "2026-11-20T10:00:00Z" } } });
    expect(email.ok && email.value.data.customerEmailMarketingConsentUpdate.customer.defaultEmailAddress.marketingState).toBe("UNSUBSCRIBED");
    const sms = await client.request<{ customerSmsMarketingConsentUpdate: { customer: { defaultPhoneNumber: { smsMarketingConsent: { state: string } } } } }>(
      operation("customer-sms-consent-update"),
      { input: { customerId: id, smsMarketingConsent: { marketingState: "SUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN" } } });
    expect(sms.ok && sms.value.data.customerSmsMarketingConsentUpdate.customer.defaultPhoneNumber.smsMarketingConsent.state).toBe("SUBSCRIBED");

    const created = await client.request<{ discountCodeBasicCreate: { codeDiscountNode: { id: string } | null; userErrors: { code: string }[] } }>(
      operation("discount-code-basic-create"), { basicCodeDiscount: { title: "Winback 15", code: "WB-BASE", startsAt: "2026-11-20T00:00:00Z" } });
    if (!created.ok) throw new Error(JSON.stringify(created.error));
    const discountId = created.value.data.discountCodeBasicCreate.codeDiscountNode!.id;
    const again = await client.request<{ discountCodeBasicCreate: { userErrors: { code: string }[] } }>(
      operation("discount-code-basic-create"), { basicCodeDiscount: { title: "dup", code: "WB-BASE" } });
    expect(again.ok && again.value.data.discountCodeBasicCreate.userErrors[0].code).toBe("TAKEN");
    const add = await client.request<{ discountRedeemCodeBulkAdd: { bulkCreation: { id: string } } }>(
      operation("discount-redeem-code-bulk-add"), { discountId, codes: [{ code: "WB-1" }, { code: "WB-2" }, { code: "WB-BASE" }] });
    if (!add.ok) throw new Error(JSON.stringify(add.error));
    const status = await client.request<{ discountRedeemCodeBulkCreation: { done: boolean; importedCount: number; failedCount: number } }>(
      operation("discount-redeem-code-bulk-creation"), { id: add.value.data.discountRedeemCodeBulkAdd.bulkCreation.id, first: 10 });
    expect(status.ok && status.value.data.discountRedeemCodeBulkCreation).toMatchObject({ done: true, importedCount: 2, failedCount: 1 });
  });

  it("restores throttle points at the plan's rate", async () => {
    const store = generateStore({ seed: 3, customers: 1, domain: "plus.myshopify.com" });
    store.shop.plan = "Plus";
    const plus = await startStoreSim({ store, accessToken: TOKEN });
    expect(plus.bucket.restoreRate).toBe(1000);
    await plus.close();
  });

  it("answers THROTTLED with the cost extension when the bucket is empty", async () => {
    const small = await startStoreSim({ store: generateStore({ seed: 1, customers: 3, domain: "tiny.myshopify.com" }), accessToken: TOKEN, bucket: { maximumAvailable: 6, restoreRate: 1 } });
    const un = pointShopifyClientsAt(small);
    try {
      const q = { query: "{ customers(first: 3) { nodes { id } } }" };
      const send = async () => {
        const res = await fetch(`https://${small.shop}/admin/api/2026-10/graphql.json`, {
          method: "POST", headers: { "content-type": "application/json", "x-shopify-access-token": TOKEN }, body: JSON.stringify(q),
        });
        return (await res.json()) as { errors?: { extensions: { code: string } }[]; extensions: { cost: { requestedQueryCost: number; throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number } } } };
      };
      const first = await send();
      expect(first.errors).toBeUndefined();
      expect(first.extensions.cost.requestedQueryCost).toBe(5);
      const second = await send();
      expect(second.errors?.[0].extensions.code).toBe("THROTTLED");
      expect(second.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 6, restoreRate: 1 });
    } finally {
      un();
      unpoint = pointShopifyClientsAt(sim);
      await small.close();
    }
  });

  it("runs bulk queries CREATED -> RUNNING -> COMPLETED, at most 5 at once, within bulk limits", async () => {
    const client = createAdminGraphql({ shop: sim.shop, accessToken: TOKEN });
    const run = (query: string) => client.request<{ bulkOperationRunQuery: { bulkOperation: { id: string; status: string } | null; userErrors: { code: string }[] } }>(
      operation("bulk-run-query"), { query, groupObjects: true });
    const tooDeep = `{ customers { edges { node { id orders { edges { node { id lineItems { edges { node { id
      product { collections { edges { node { id } } } } } } } } } } } } } }`;
    const tooMany = await run(tooDeep);
    expect(tooMany.ok && tooMany.value.data.bulkOperationRunQuery.userErrors[0].code).toBe("INVALID");
    const started = [];
    for (let i = 0; i < 6; i++) started.push(await run(operation("bulk-orders")));
    const payloads = started.map((r) => (r.ok ? r.value.data.bulkOperationRunQuery : null));
    expect(payloads.slice(0, 5).every((p) => p?.bulkOperation?.status === "CREATED")).toBe(true);
    expect(payloads[5]?.userErrors[0].code).toBe("LIMIT_REACHED");
    const id = payloads[0]!.bulkOperation!.id;
    const seen = new Set<string>();
    let url: string | null = null;
    for (const until = Date.now() + 20_000; Date.now() < until && !url;) {
      const r = await client.request<{ bulkOperation: { status: string; url: string | null; objectCount: string } }>(operation("bulk-operation"), { id });
      if (!r.ok) throw new Error("poll failed");
      seen.add(r.value.data.bulkOperation.status);
      url = r.value.data.bulkOperation.url;
      await new Promise((res) => setTimeout(res, 10));
    }
    expect([...seen]).toEqual(expect.arrayContaining(["RUNNING", "COMPLETED"]));
    const text = await (await fetch(url!)).text();
    const lines = text.trim().split("\n").map((l) => JSON.parse(l));
    const orders = lines.filter((l) => !l.__parentId);
    expect(orders.length).toBe(sim.state.store.orders.length);
    // Grouped: each line item sits right below its order.
    let current = "";
    for (const l of lines) {
      if (!l.__parentId) current = l.id;
      else expect(l.__parentId).toBe(current);
    }
  });

  it("delivers webhooks signed as Shopify signs them, with duplicates and out of order on request", async () => {
    const { createServer } = await import("node:http");
    const { shopifyApi, LogSeverity } = await import("@shopify/shopify-api");
    const secret = "app-secret";
    const api = shopifyApi({ apiKey: "k", apiSecretKey: secret, apiVersion: ADMIN_API_VERSION, hostName: "localhost", isEmbeddedApp: false, logger: { level: LogSeverity.Error } });
    const got: { valid: boolean; topic?: string; eventId?: string; triggeredAt?: string }[] = [];
    const receiver = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const check = await api.webhooks.validate({ rawBody: Buffer.concat(chunks).toString("utf8"), rawRequest: req, rawResponse: res });
      got.push({
        valid: check.valid, topic: check.valid ? check.topic : undefined,
        eventId: String(req.headers["x-shopify-event-id"]), triggeredAt: String(req.headers["x-shopify-triggered-at"]),
      });
      res.end("ok");
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const port = (receiver.address() as { port: number }).port;
    try {
      const c = sim.state.store.customers[0];
      const events = [1, 2, 3].map((n) => ({ topic: "customers/update", payload: { id: c.id, updated_at: `2026-11-0${n}T00:00:00Z` }, eventId: `ev-${n}` }));
      const deliveries = await sim.deliver(events, { url: `http://127.0.0.1:${port}/webhooks`, secret, duplicates: 1, shuffleSeed: 4 });
      expect(deliveries).toHaveLength(6);
      expect(got.every((g) => g.valid && g.topic === "CUSTOMERS_UPDATE")).toBe(true);
      expect(got.map((g) => g.eventId).sort()).toEqual(["ev-1", "ev-1", "ev-2", "ev-2", "ev-3", "ev-3"]);
      expect(got.map((g) => g.eventId)).not.toEqual(["ev-1", "ev-1", "ev-2", "ev-2", "ev-3", "ev-3"]);
      const bad = await sim.deliver(events.slice(0, 1), { url: `http://127.0.0.1:${port}/webhooks`, secret: "wrong" });
      expect(bad).toHaveLength(1);
      expect(got.at(-1)!.valid).toBe(false);
    } finally {
      receiver.close();
    }
  });
});
