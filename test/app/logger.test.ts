import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, REDACTED } from "../../app/logger.server";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: createLogger({ level: "info", destination }), lines };
}

describe("logs never carry personal data", () => {
  it.each([
    ["top level", { email: "ana@example.com", phone: "+12125550100" }],
    ["nested customer", { customer: { email: "ana@example.com", phone: "+12125550100", first_name: "Ana", address1: "1 Main St" } }],
    ["webhook payload", { payload: { customer: { email: "ana@example.com", phone: "+12125550100" } } }],
    ["order addresses", { order: { billing_address: { address1: "1 Main St", zip: "10001" }, shipping_address: { city: "NYC" } } }],
    ["tokens", { session: { accessToken: "shpat_secret", refreshToken: "shprt_secret" } }],
  ])("%s", (_label, fields) => {
    const { logger, lines } = capture();
    logger.info(fields, "something happened");
    const out = lines.join("");
    for (const secret of ["ana@example.com", "+12125550100", "1 Main St", "10001", "NYC", "shpat_secret", "shprt_secret", "Ana"]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain(REDACTED);
    expect(out).toContain("something happened");
  });

  it("keeps what is not personal", () => {
    const { logger, lines } = capture();
    logger.info({ shop: "x.myshopify.com", topic: "orders/create", customerId: "42" }, "ok");
    expect(lines.join("")).toContain("orders/create");
    expect(lines.join("")).toContain("42");
  });
});
