// SMS and push content: Liquid in text mode, compiled once, rendered per recipient.
// Promotional SMS always carries opt-out instructions (CTIA; FCC wants revocation easy).
import { err, ok, type Result } from "../result";
import { compileTemplate, type CompiledTemplate, expandBlocks, renderTemplate, type RenderFailure, type TemplateIssue, type TemplateLimits } from "./personalise";
import type { Block, PushContent, SmsContent } from "./schema";
import { countSegments, type SegmentCount } from "./sms-segments";

export type FieldIssue = TemplateIssue & { part: string };

const OPT_OUT_HINT = /\b(STOP|opt[\s-]?out|unsubscribe)\b/i;
export const SMS_OPT_OUT_SUFFIX = " Reply STOP to opt out.";

function compileField(part: string, source: string, blocks: ReadonlyArray<Block>, limits?: TemplateLimits): Result<CompiledTemplate, FieldIssue[]> {
  const expanded = expandBlocks(source, blocks);
  if (!expanded.ok) return err(expanded.error.map((i) => ({ ...i, part })));
  const t = compileTemplate(expanded.value, { mode: "text", limits });
  return t.ok ? t : err(t.error.map((i) => ({ ...i, part })));
}

export type CompiledSms = { purpose: SmsContent["purpose"]; body: CompiledTemplate };
export type RenderedSms = { body: string; segments: SegmentCount };

export function compileSms(content: SmsContent, blocks: ReadonlyArray<Block> = [], limits?: TemplateLimits): Result<CompiledSms, FieldIssue[]> {
  const needsHint = content.purpose === "promotional" && !OPT_OUT_HINT.test(content.body);
  const body = compileField("body", needsHint ? content.body + SMS_OPT_OUT_SUFFIX : content.body, blocks.filter((b) => b.channel === "sms"), limits);
  return body.ok ? ok({ purpose: content.purpose, body: body.value }) : body;
}

export function renderSms(t: CompiledSms, vars: Record<string, unknown>): Result<RenderedSms, RenderFailure> {
  const body = renderTemplate(t.body, vars);
  if (!body.ok) return body;
  const text = body.value.replace(/[ \t]+/g, " ").trim();
  return ok({ body: text, segments: countSegments(text) });
}

export type CompiledPush = { purpose: PushContent["purpose"]; title: CompiledTemplate; body: CompiledTemplate; link: CompiledTemplate; icon: string | undefined };
export type RenderedPush = { title: string; body: string; link: string; icon?: string };

export function compilePush(content: PushContent, blocks: ReadonlyArray<Block> = [], limits?: TemplateLimits): Result<CompiledPush, FieldIssue[]> {
  const push = blocks.filter((b) => b.channel === "push");
  const title = compileField("title", content.title, push, limits);
  const body = compileField("body", content.body, push, limits);
  const link = compileField("link", content.link, [], limits);
  const issues = [title, body, link].flatMap((r) => (r.ok ? [] : r.error));
  if (!title.ok || !body.ok || !link.ok) return err(issues);
  return ok({ purpose: content.purpose, title: title.value, body: body.value, link: link.value, icon: content.icon });
}

export function renderPush(t: CompiledPush, vars: Record<string, unknown>): Result<RenderedPush, RenderFailure> {
  const title = renderTemplate(t.title, vars);
  if (!title.ok) return title;
  const body = renderTemplate(t.body, vars);
  if (!body.ok) return body;
  const link = renderTemplate(t.link, vars);
  if (!link.ok) return link;
  if (!/^https:\/\//.test(link.value.trim())) return err({ kind: "error", message: `push link is not an https URL: ${link.value}` });
  return ok({ title: title.value.trim(), body: body.value.trim(), link: link.value.trim(), ...(t.icon ? { icon: t.icon } : {}) });
}
