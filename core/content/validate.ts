// The save-time check for merchant content: shape (zod), then every template field compiled
// against the allowed variables, so errors come back with part, line and name.
import { assertNever, err, ok, type Result } from "../result";
import { compileEmail } from "./render-email";
import { compilePush, compileSms } from "./render-text";
import { type Block, type MessageContent, messageContentSchema } from "./schema";
import { applyVariant } from "./variants";

export type ContentIssue = { part: string; line: number; column: number; name?: string; message: string };

export async function validateContent(input: unknown, blocks: ReadonlyArray<Block> = []): Promise<Result<MessageContent, ContentIssue[]>> {
  const parsed = messageContentSchema.safeParse(input);
  if (!parsed.success) {
    return err(parsed.error.issues.map((i) => ({ part: i.path.join(".") || "content", line: 1, column: 1, message: i.message })));
  }
  const content = parsed.data;
  const checked = await compileOne(content, blocks);
  if (!checked.ok || !content.variants) return checked;
  // Each variant is compiled as the customer would get it; its issues name the variant.
  const issues: ContentIssue[] = [];
  for (const v of content.variants.variants) {
    const r = await compileOne(applyVariant(content, v) as MessageContent, blocks);
    if (!r.ok) issues.push(...r.error.map((i) => ({ ...i, part: `variant ${v.key}: ${i.part}` })));
  }
  return issues.length ? err(issues) : ok(content);
}

async function compileOne(content: MessageContent, blocks: ReadonlyArray<Block>): Promise<Result<MessageContent, ContentIssue[]>> {
  switch (content.channel) {
    case "email": {
      const r = await compileEmail(content, blocks);
      return r.ok ? ok(content) : err(r.error);
    }
    case "sms": {
      const r = compileSms(content, blocks);
      return r.ok ? ok(content) : err(r.error);
    }
    case "push": {
      const r = compilePush(content, blocks);
      return r.ok ? ok(content) : err(r.error);
    }
    default:
      return assertNever(content, "channel");
  }
}
