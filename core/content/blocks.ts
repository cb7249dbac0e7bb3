// Reusable blocks are referenced as [[block:name]] and spliced in before compiling, so one
// footer or product grid is edited once and used by every message of its channel.
import { err, ok, type Result } from "../result";
import type { Block } from "./schema";

export type TemplateIssue = { line: number; column: number; name?: string; message: string };

const BLOCK_REF = /\[\[block:([a-z0-9][a-z0-9_-]*)\]\]/g;

export function lineAndColumn(source: string, index: number): { line: number; column: number } {
  const before = source.slice(0, index);
  const line = before.split("\n").length;
  return { line, column: index - before.lastIndexOf("\n") };
}

/** Replaces [[block:name]] with the block's content (blocks do not nest). */
export function expandBlocks(source: string, blocks: ReadonlyArray<Block>): Result<string, TemplateIssue[]> {
  const byName = new Map(blocks.map((b) => [b.name, b.content]));
  const issues: TemplateIssue[] = [];
  const out = source.replace(BLOCK_REF, (whole, name: string, index: number) => {
    const content = byName.get(name);
    if (content === undefined) {
      issues.push({ ...lineAndColumn(source, index), name, message: `unknown block "${name}"` });
      return whole;
    }
    return content.replace(BLOCK_REF, "");
  });
  return issues.length ? err(issues) : ok(out);
}
