// The save-time check for merchant content: shape (zod), then every template field compiled
// against the allowed variables, so errors come back with part, line and name.
import { assertNever, err, ok, type Result } from "../result";
import { compileEmail } from "./render-email";
import { compilePush, compileSms } from "./render-text";
import { type Block, type MessageContent, messageContentSchema } from "./schema";

export type ContentIssue = { part: string; line: number; column: number; name?: string; message: string };

export async function validateContent(input: unknown, blocks: ReadonlyArray<Block> = []): Promise<Result<MessageContent, ContentIssue[]>> {
  const parsed = messageContentSchema.safeParse(input);
  if (!parsed.success) {
    return err(parsed.error.issues.map((i) => ({ part: i.path.join(".") || "content", line: 1, column: 1, message: i.message })));
  }
  const content = parsed.data;
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
