import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectWoo, createWooClient } from "../../../connectors/woocommerce/client";
import { syncWoo } from "../../../connectors/woocommerce/sync";
import { verifyWooWebhook, wooWebhookSignature } from "../../../connectors/woocommerce/webhook";
import { oauthSignature, startWooSim, type WooSim } from "../../../scripts/sims/woo-sim";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { createShop } from "../ingest/fixtures";

let db: TestDatabase;
let sim: WooSim;
beforeAll(async () => {
  db = await createTestDatabase("woo");
  sim = await startWooSim({ customers: 30, orders: 250, guestShare: 0.3, seed: 11 });
});
afterAll(async () => {
  await sim.close();
  await db.drop();
});
const now = new Date("2024-06-01T00:00:00Z");
const creds = () => ({ url: sim.url, consumerKey: sim.consumerKey, consumerSecret: sim.consumerSecret });
const cents = (s: string) => BigInt(s.replace(".", ""));

describe("WooCommerce connector against woo-sim", () => {
  it("connects with good keys and is refused with a bad secret", async () => {
    const good = await connectWoo(creds());
    expect(good.ok && good.value.currency).toBe("GBP");
    const bad = await connectWoo({ ...creds(), consumerSecret: "cs_wrong" });
    expect(bad).toEqual({ ok: false, error: { status: 401, code: "woocommerce_rest_authentication_error", message: "Invalid signature - provided signature does not match." } });
  });

  it("refuses a tampered or replayed OAuth request with 401 and WooCommerce's error shape", async () => {
    const url = new URL(`${sim.url}/wp-json/wc/v3/orders`);
    const ts = String(Math.floor(Date.now() / 1000));
    const params: [string, string][] = [["oauth_consumer_key", sim.consumerKey], ["oauth_nonce", "n1"],
      ["oauth_signature_method", "HMAC-SHA256"], ["oauth_timestamp", ts], ["oauth_version", "1.0"], ["per_page", "5"]];
    const sig = oauthSignature("GET", url.toString(), params, sim.consumerSecret, "sha256");
    const signed = (p: [string, string][], s: string) => `${url}?${new URLSearchParams([...p, ["oauth_signature", s]])}`;
    const okRes = await fetch(signed(params, sig));
    expect(okRes.status).toBe(200);
    expect(okRes.headers.get("x-wp-total")).toBe("250");
    const replay = await fetch(signed(params, sig));
    expect(replay.status).toBe(401);
    const tampered = params.map(([k, v]) => [k, k === "per_page" ? "100" : k === "oauth_nonce" ? "n2" : v] as [string, string]);
    const res = await fetch(signed(tampered, sig));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: "woocommerce_rest_authentication_error", message: "Invalid signature - provided signature does not match.", data: { status: 401 } });
    const tooBig = await createWooClient(creds()).get("orders", { per_page: 101 }).catch((e) => e.response);
    expect(tooBig.status).toBe(400);
    expect(tooBig.data.code).toBe("rest_invalid_param");
  });

  it("pulls every page, links guest orders by billing email, and is exact", async () => {
    const shop = await createShop(db.pool, "woo.example.com", "woocommerce");
    const before = sim.requests.length;
    const r = await syncWoo(db.pool, shop, createWooClient(creds()), { now });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({ customers: 30, orders: 250, rejected: [] });
    const paths = sim.requests.slice(before).map((x) => x.path);
    expect(paths.filter((p) => p.includes("/orders") && p.includes("per_page=100")).map((p) => /[?&]page=(\d+)/.exec(p)![1])).toEqual(["1", "2", "3"]);

    const db1 = (await db.pool.query(`select count(*)::int n, sum(total)::text t, count(customer_id)::int linked, sum(refunded)::text rf from orders where shop_id = $1`, [shop])).rows[0];
    const simTotal = sim.orders.reduce((s, o) => s + cents(o.total as string), 0n);
    const simRefund = sim.orders.reduce((s, o) => s + (o.refunds as { total: string }[]).reduce((a, x) => a + cents(x.total.slice(1)), 0n), 0n);
    expect(db1).toEqual({ n: 250, t: simTotal.toString(), linked: 250, rf: simRefund.toString() });

    // Per customer: the registered customer's orders, and one guest's orders under their email.
    const guest = sim.orders.find((o) => o.customer_id === 0)!;
    const guestEmail = (guest.billing as { email: string }).email;
    const expectGuest = sim.orders.filter((o) => (o.billing as { email: string }).email === guestEmail);
    const got = (await db.pool.query(
      `select count(*)::int n, sum(o.total)::text t from orders o join customers c on c.shop_id = o.shop_id and c.id = o.customer_id
       where o.shop_id = $1 and c.email = $2`, [shop, guestEmail])).rows[0];
    expect(got).toEqual({ n: expectGuest.length, t: expectGuest.reduce((s, o) => s + cents(o.total as string), 0n).toString() });
    const lines = (await db.pool.query(`select sum(price * quantity - discount)::text v from order_lines where shop_id = $1`, [shop])).rows[0].v;
    const simLines = sim.orders.reduce((s, o) => s + (o.line_items as { total: string }[]).reduce((a, l) => a + cents(l.total), 0n), 0n);
    expect(lines).toBe(simLines.toString());
    const zone = (await db.pool.query(`select distinct source_timezone from orders where shop_id = $1`, [shop])).rows;
    expect(zone).toEqual([{ source_timezone: "+01:00" }]);

    // Incremental: nothing newer, then one changed order.
    const again = await syncWoo(db.pool, shop, createWooClient(creds()), { now, since: r.value.highWater });
    expect(again.ok && again.value).toMatchObject({ customers: 0, orders: 0 });
    const changed = sim.orders[5];
    changed.total = "999.99";
    changed.date_modified_gmt = "2030-01-01T00:00:00";
    const inc = await syncWoo(db.pool, shop, createWooClient(creds()), { now, since: r.value.highWater });
    expect(inc.ok && inc.value).toMatchObject({ orders: 1, highWater: "2030-01-01T00:00:00Z" });
    const t = (await db.pool.query(`select total::int from orders where shop_id = $1 and external_id = $2`, [shop, String(changed.id)])).rows[0];
    expect(t.total).toBe(99999);
  });
});

describe("verifyWooWebhook", () => {
  const body = Buffer.from('{"id":1001,"status":"completed"}');
  const secret = "whsec_test";
  it("accepts the store's signature over the raw body", () => {
    expect(verifyWooWebhook(body, wooWebhookSignature(body, secret), secret)).toBe(true);
  });
  it("refuses a wrong secret, a changed body, or no header", () => {
    const sig = wooWebhookSignature(body, secret);
    expect(verifyWooWebhook(body, wooWebhookSignature(body, "other"), secret)).toBe(false);
    expect(verifyWooWebhook(Buffer.from('{"id":1001,"status":"refunded"}'), sig, secret)).toBe(false);
    expect(verifyWooWebhook(body, undefined, secret)).toBe(false);
  });
});
