import { describe, expect, it } from "vitest";
import { groupLines, readLines, type GroupStats } from "../../../connectors/shopify/jsonl";

async function* chunks(text: string, size: number) {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const FILE = [
  { id: "gid://shopify/Order/1" },
  { id: "gid://shopify/LineItem/11", __parentId: "gid://shopify/Order/1" },
  { id: "gid://shopify/LineItem/12", __parentId: "gid://shopify/Order/1" },
  { id: "gid://shopify/Order/2", note: "ünïcödé ✓" },
  { id: "gid://shopify/LineItem/21", __parentId: "gid://shopify/Order/9" },
  { id: "gid://shopify/Order/3" },
].map((x) => JSON.stringify(x)).join("\n") + "\n";

describe("bulk JSONL reading", () => {
  it("splits lines across chunk boundaries, multi-byte characters included", async () => {
    const lines = await collect(readLines(chunks(FILE, 7)));
    expect(lines).toHaveLength(6);
    expect(JSON.parse(lines[3]).note).toBe("ünïcödé ✓");
  });

  it("joins children to their parent and counts orphans", async () => {
    const stats: GroupStats = { orphans: 0, malformed: 0 };
    const groups = await collect(groupLines(readLines(chunks(FILE, 16)), 0, stats));
    expect(groups.map((g) => [g.parent.id, g.children.length, g.endLine])).toEqual([
      ["gid://shopify/Order/1", 2, 3],
      ["gid://shopify/Order/2", 0, 4],
      ["gid://shopify/Order/3", 0, 6],
    ]);
    expect(stats.orphans).toBe(1);
  });

  it("resumes after the lines already ingested", async () => {
    const stats: GroupStats = { orphans: 0, malformed: 0 };
    const groups = await collect(groupLines(readLines(chunks(FILE, 64)), 3, stats));
    expect(groups.map((g) => g.parent.id)).toEqual(["gid://shopify/Order/2", "gid://shopify/Order/3"]);
  });
});
