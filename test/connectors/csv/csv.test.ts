import { Readable } from "node:stream";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCsv, type CsvProgress } from "../../../connectors/csv/import";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { createShop } from "../ingest/fixtures";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase("csv");
});
afterAll(async () => {
  await db.drop();
});
const now = new Date("2024-03-01T00:00:00Z");

/** Small chunks, so multi-byte characters and rows straddle chunk edges. */
function chunked(buf: Buffer, size = 7) {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

const q = async (sql: string, params: unknown[]) => (await db.pool.query(sql, params)).rows;

describe("importCsv", () => {
  it("imports Shopify's customer export (UTF-8 with BOM, commas)", async () => {
    const shop = await createShop(db.pool, "cust.myshopify.com");
    const csv =
      "\uFEFFCustomer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags\n" +
      "'7001,Zoë,Müller,Zoe@Example.com,yes,,1 Main St,,Berlin,,DE,'01067,,030 1234567,no,10.00,1,,no,\"vip, repeat\"\n" +
      "'7002,Al,Bo,al@example.com,no,,,,Austin,TX,US,78701,,,yes,0.00,0,,no,\n";
    const progress: CsvProgress[] = [];
    const r = await importCsv(db.pool, shop, chunked(Buffer.from(csv, "utf8")), "shopify-customers", { now, onProgress: (p) => progress.push(p) });
    expect(r.ok && r.value).toMatchObject({ status: "succeeded", rowsRead: 2, rowsWritten: 2, rowsRejected: 0, encoding: "utf8", delimiter: "," });
    expect(progress.at(-1)).toEqual({ rowsRead: 2, rowsWritten: 2, rowsRejected: 0 });
    const rows = await q(`select first_name, email, phone, zip, tags, email_consent, sms_consent from customers where shop_id = $1 order by email desc`, [shop]);
    expect(rows[0]).toEqual({ first_name: "Zoë", email: "zoe@example.com", phone: "+49301234567", zip: "01067", tags: ["vip", "repeat"], email_consent: "subscribed", sms_consent: "not_subscribed" });
    expect(rows[1]).toMatchObject({ email: "al@example.com", email_consent: "not_subscribed", sms_consent: "subscribed" });
  });

  it("imports Shopify's order export grouped by Name (Windows-1252, semicolons)", async () => {
    const shop = await createShop(db.pool, "orders.myshopify.com");
    const header = "Name;Email;Financial Status;Paid at;Currency;Subtotal;Shipping;Taxes;Total;Discount Code;Discount Amount;Created at;Lineitem quantity;Lineitem name;Lineitem price;Lineitem sku;Cancelled at;Refunded Amount;Vendor;Id;Source;Lineitem discount";
    const csv = [
      header,
      "#1001;ann@example.com;paid;2024-01-05 10:00:00 -0500;EUR;30.00;5.00;2.00;35.00;WELCOME;2.00;2024-01-05 10:00:00 -0500;1;Café crème;10.00;CC1;;0.00;Acme;111;web;0.00",
      "#1001;ann@example.com;;;;;;;;;;;2;Thé;10.00;T1;;;Acme;;;0.00",
      "#1002;bob@example.com;refunded;;EUR;8.50;0;0;8.50;;0;2024-02-01 08:00:00 +0100;1;Mug;8.50;;;8.50;;112;pos;0",
      "",
    ].join("\r\n");
    const r = await importCsv(db.pool, shop, chunked(iconv.encode(csv, "win1252")), "shopify-orders", { now });
    expect(r.ok && r.value).toMatchObject({ rowsRead: 3, rowsWritten: 3, rowsRejected: 0, encoding: "windows1252", delimiter: ";" });
    const orders = await q(`select name, total::int, refunded::int, processed_at, source_timezone, discount_codes, (select count(*)::int from order_lines l where l.order_id = o.id) n,
      (select email from customers c where c.id = o.customer_id) email from orders o where shop_id = $1 order by name`, [shop]);
    expect(orders).toEqual([
      { name: "#1001", total: 3500, refunded: 0, processed_at: new Date("2024-01-05T15:00:00Z"), source_timezone: "-05:00", discount_codes: ["WELCOME"], n: 2, email: "ann@example.com" },
      { name: "#1002", total: 850, refunded: 850, processed_at: new Date("2024-02-01T07:00:00Z"), source_timezone: "+01:00", discount_codes: [], n: 1, email: "bob@example.com" },
    ]);
    const titles = await q(`select title from order_lines where shop_id = $1 order by id`, [shop]);
    expect(titles.map((t) => t.title)).toEqual(["Café crème", "Thé", "Mug"]);
  });

  it("imports the plain transactions format (UTF-16 LE, tabs) in the shop's zone", async () => {
    const shop = await createShop(db.pool, "tx.example.com", "csv");
    await db.pool.query(`update shops set timezone = 'America/New_York', currency = 'USD' where id = $1`, [shop]);
    const csv = "customer_id\tdate\tamount\temail\n42\t2024-01-05\t19.99\tx@example.com\n42\t2024-02-05\t5\t\n43\t2024-02-05 12:30\t1,000.10\t\n";
    const buf = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(csv, "utf16le")]);
    const r = await importCsv(db.pool, shop, chunked(buf), "transactions", { now });
    expect(r.ok && r.value).toMatchObject({ rowsWritten: 3, rowsRejected: 0, encoding: "utf16le", delimiter: "\t" });
    const rows = await q(`select c.email, count(*)::int n, sum(o.total)::int t, min(o.processed_at) first from orders o join customers c on c.id = o.customer_id and c.shop_id = o.shop_id where o.shop_id = $1 group by c.id, c.email order by c.id`, [shop]);
    expect(rows).toEqual([
      { email: "x@example.com", n: 2, t: 2499, first: new Date("2024-01-05T05:00:00Z") },
      { email: null, n: 1, t: 100010, first: new Date("2024-02-05T17:30:00Z") },
    ]);
    // The same file again changes nothing.
    const again = await importCsv(db.pool, shop, chunked(buf), "transactions", { now });
    expect(again.ok).toBe(true);
    expect((await q(`select count(*)::int n from orders where shop_id = $1`, [shop]))[0].n).toBe(3);
  });

  it("reports every bad row with its line and reason, and writes the good ones", async () => {
    const shop = await createShop(db.pool, "bad.example.com", "csv");
    const csv = [
      "customer_id,date,amount,email", // 1
      "1,2024-01-01,10.00,a@example.com", // 2 ok
      "2,2024-13-01,10.00,", // 3 impossible date
      "3,yesterday,10.00,", // 4 unrecognised date
      "4,2024-01-01,ten,", // 5 bad amount
      "5,2024-01-01,1.001,", // 6 too many decimals
      "6,2024-01-01,10.00,not-an-email", // 7 bad email
      ",2024-01-01,10.00,", // 8 no customer id
      "7,2024-01-01", // 9 wrong column count
      '8,2024-01-01,"1"0,', // 10 bad quoting
      "9,2024-01-02,3.00,", // 11 ok: the bad row before it does not swallow it
      '"10,2024-01-02,3.00,', // 12 a quote never closed (it swallows the rest of the file)
      "",
    ].join("\n");
    const r = await importCsv(db.pool, shop, chunked(Buffer.from(csv)), "transactions", { now });
    if (!r.ok) throw new Error(r.error);
    const byLine = Object.fromEntries(r.value.rejected.map((x) => [x.line, x.reason]));
    expect(Object.keys(byLine).map(Number)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 12]);
    expect(byLine[3]).toMatch(/processedAt: impossible/);
    expect(byLine[4]).toMatch(/processedAt: unrecognised/);
    expect(byLine[5]).toMatch(/total: not a decimal/);
    expect(byLine[6]).toMatch(/total: more than 2 decimals/);
    expect(byLine[7]).toMatch(/email: invalid email/);
    expect(byLine[9]).toMatch(/expected 4 columns, got 2/);
    expect(byLine[8]).toMatch(/customerExternalId: must not be empty/);
    expect(byLine[10]).toMatch(/total: not a decimal amount/); // a stray quote is kept as text
    expect(byLine[12]).toMatch(/Quote Not Closed/);
    expect(r.value).toMatchObject({ rowsRead: 11, rowsWritten: 2, rowsRejected: 9 });
    expect((await q(`select count(*)::int n from orders where shop_id = $1`, [shop]))[0].n).toBe(2);
    const run = (await q(`select status, rows_rejected, report from import_runs where shop_id = $1`, [shop]))[0];
    expect(run).toMatchObject({ status: "succeeded", rows_rejected: 9 });
    expect(run.report.rejected).toHaveLength(9);

    const missing = await importCsv(db.pool, shop, chunked(Buffer.from("customer,when\n1,2\n")), "transactions", { now });
    expect(missing).toEqual({ ok: false, error: "missing column(s): customer_id, date, amount" });
    const empty = await importCsv(db.pool, shop, chunked(Buffer.from("Email,First Name\n")), "shopify-orders", { now });
    expect(empty.ok).toBe(false);
    const quoteInside = await importCsv(db.pool, shop, chunked(Buffer.from('customer_id,date,amount,email\n5" tall,2024-01-01,1.00,\n')), "transactions", { now });
    expect(quoteInside.ok && quoteInside.value).toMatchObject({ rowsWritten: 1, rowsRejected: 0 });
  });

  it("cancels, then resumes from the stored line without duplicates", async () => {
    const shop = await createShop(db.pool, "resume.myshopify.com");
    const rows = ["Name,Email,Currency,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price"];
    for (let i = 0; i < 30; i++) {
      rows.push(`#${i},c${i % 4}@example.com,USD,2.00,2024-01-01 00:00:00 +0000,1,A,1.00`);
      rows.push(`#${i},,,,,1,B,1.00`);
    }
    const buf = Buffer.from(rows.join("\n") + "\n");
    const ctl = new AbortController();
    const first = await importCsv(db.pool, shop, chunked(buf, 64), "shopify-orders", {
      now, batchSize: 9, signal: ctl.signal, onProgress: (p) => { if (p.rowsWritten >= 16) ctl.abort(); },
    });
    if (!first.ok) throw new Error(first.error);
    expect(first.value.status).toBe("cancelled");
    const mid = (await q(`select count(*)::int n from orders where shop_id = $1`, [shop]))[0].n;
    expect(mid).toBeGreaterThan(0);
    expect(mid).toBeLessThan(30);
    const cursor = (await q(`select cursor from import_runs where shop_id = $1`, [shop]))[0].cursor;
    expect(cursor.line % 2).toBe(1); // always after a whole order (header is line 1)

    const second = await importCsv(db.pool, shop, chunked(buf, 64), "shopify-orders", { now, batchSize: 9, runId: first.value.runId });
    if (!second.ok) throw new Error(second.error);
    expect(second.value).toMatchObject({ status: "succeeded", rowsRead: 60, rowsWritten: 60, rowsRejected: 0 });
    const tot = (await q(`select count(*)::int n, sum(total)::int t, (select count(*)::int from order_lines where shop_id = $1) l from orders where shop_id = $1`, [shop]))[0];
    expect(tot).toEqual({ n: 30, t: 6000, l: 60 });
  });
});
