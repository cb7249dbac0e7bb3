// The media library on real PostgreSQL and local disk: an upload comes back byte for byte
// at its content-hash URL with the sniffed type and an immutable cache header; a file that
// is not an image (whatever its name says) and an oversized file are refused; unknown
// hashes are 404; the library lists only the shop's own uploads.
import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";

const DOMAIN = "media-lib.myshopify.com";
const dir = await mkdtemp(path.join(os.tmpdir(), "winback-media-"));
const db: TestDatabase = await createTestDatabase("media");
configureAppEnv(db, { WINBACK_DEMO_SHOP: DOMAIN, NODE_ENV: "development", MEDIA_DIR: dir, SHOPIFY_APP_URL: "https://winback.test" });
const shopId = await insertShop(db.pool, DOMAIN);
const otherShop = await insertShop(db.pool, "other-media.myshopify.com");
const mediaPage = await import("../../app/routes/app.media");
const mediaFile = await import("../../app/routes/media.$file");
const m = await import("../../app/models/media.server");
const { closeDatabase } = await import("../../app/db.server");

afterAll(async () => {
  await closeDatabase();
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

type Fn = (args: { request: Request; params: Record<string, string>; context: {} }) => Promise<unknown>;

async function upload(bytes: Uint8Array<ArrayBuffer>, name: string, type: string) {
  const form = new FormData();
  form.set("file", new File([bytes], name, { type }));
  return (await (mediaPage.action as unknown as Fn)({ request: new Request("https://winback.test/app/media", { method: "POST", body: form }), params: {}, context: {} })) as
    | { ok: true; url: string }
    | { ok: false; error: string };
}
const serve = async (file: string) => (await (mediaFile.loader as unknown as Fn)({ request: new Request(`https://winback.test/media/${file}`), params: { file }, context: {} })) as Response;

// A real 1x1 GIF89a.
const gif = new Uint8Array(Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64"));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("media library", () => {
  it("an uploaded GIF comes back byte for byte at /media/<sha256>.gif, cached forever", async () => {
    // The browser's claimed type and name are ignored: the bytes decide.
    const r = await upload(gif, "spinner.png", "application/octet-stream");
    expect(r).toEqual({ ok: true, url: `https://winback.test/media/${sha(gif)}.gif` });
    const res = await serve(`${sha(gif)}.gif`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/gif");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(gif);
    expect(await readdir(dir)).toEqual([`${sha(gif)}.gif`]);

    // Uploading the same bytes again stores one file and one row.
    await upload(gif, "again.gif", "image/gif");
    expect((await m.listMedia(shopId)).map((x) => [x.originalName, x.size])).toEqual([["spinner.png", gif.length]]);
    expect(await m.listMedia(otherShop)).toEqual([]);
  });

  it("refuses files that are not images, whatever their name, and oversized files; stores nothing", async () => {
    const html = new Uint8Array(Buffer.from("<html><script>alert(1)</script></html>"));
    expect(await upload(html, "cat.png", "image/png")).toEqual({ ok: false, error: "Only PNG, JPEG, GIF and WebP images can be uploaded." });
    const big = new Uint8Array(m.MAX_MEDIA_BYTES + 1);
    big.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const r = await upload(big, "huge.png", "image/png");
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.error).toMatch(/larger than 5 MB/);
    expect(await readdir(dir)).toEqual([`${sha(gif)}.gif`]);
    expect((await db.pool.query(`select count(*)::int as n from media_files`)).rows[0].n).toBe(1);
  });

  it("404 for unknown hashes, wrong extensions and anything that is not a media name", async () => {
    expect((await serve(`${"a".repeat(64)}.png`)).status).toBe(404);
    expect((await serve(`${sha(gif)}.png`)).status).toBe(404);
    expect((await serve(`..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
    expect((await serve(`${sha(gif)}.gif.html`)).status).toBe(404);
  });

  it("sniffs PNG, JPEG, GIF and WebP signatures", () => {
    expect(m.sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))?.contentType).toBe("image/jpeg");
    expect(m.sniffImageType(Buffer.from("RIFF\0\0\0\0WEBPVP8 "))?.ext).toBe("webp");
    expect(m.sniffImageType(Buffer.from("GIF87a"))?.ext).toBe("gif");
    expect(m.sniffImageType(Buffer.from("GIF88a"))).toBeNull();
    expect(m.sniffImageType(Buffer.from("%PDF-1.7"))).toBeNull();
  });
});
