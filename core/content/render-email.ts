// Email content: MJML (with Liquid inside) compiled once per template to responsive HTML and
// a text part, both still holding Liquid; rendering per recipient is then Liquid only, which
// is what makes large sends cheap. MJML runs with strict validation and no includes.
import mjml2html from "mjml";
import { err, ok, type Result } from "../result";
import { htmlToText } from "./html-to-text";
import { compileTemplate, expandBlocks, type CompiledTemplate, renderTemplate, type RenderFailure, type TemplateIssue, type TemplateLimits } from "./personalise";
import type { Block, EmailContent } from "./schema";
import { expandSurvey } from "./survey";

export type CompiledEmail = {
  purpose: EmailContent["purpose"];
  subject: CompiledTemplate;
  preheader: CompiledTemplate | null;
  html: CompiledTemplate;
  text: CompiledTemplate;
};

export type RenderedEmail = { subject: string; preheader: string; html: string; text: string };

export type EmailIssue = TemplateIssue & { part: "subject" | "preheader" | "mjml" };

function withPreview(mjml: string, preheader: string): string {
  if (!preheader) return mjml;
  const preview = `<mj-preview>${preheader}</mj-preview>`;
  if (/<mj-head\b[^>]*>/.test(mjml)) return mjml.replace(/<mj-head\b[^>]*>/, (m) => m + preview);
  return mjml.replace(/<mjml\b[^>]*>/, (m) => `${m}<mj-head>${preview}</mj-head>`);
}

type MjmlError = { line: number; message: string; tagName?: string };

async function mjmlToHtml(mjml: string): Promise<Result<string, MjmlError[]>> {
  try {
    const out = await mjml2html(mjml, { validationLevel: "strict", ignoreIncludes: true, keepComments: false });
    return out.errors?.length ? err(out.errors) : ok(out.html);
  } catch (e) {
    const errors = (e as { errors?: MjmlError[] }).errors;
    return err(errors?.length ? errors : [{ line: 1, message: e instanceof Error ? e.message : String(e) }]);
  }
}

export async function compileEmail(
  content: EmailContent,
  blocks: ReadonlyArray<Block> = [],
  limits?: TemplateLimits,
): Promise<Result<CompiledEmail, EmailIssue[]>> {
  const issues: EmailIssue[] = [];
  const tag = (part: EmailIssue["part"], list: TemplateIssue[]) => issues.push(...list.map((i) => ({ ...i, part })));

  const subject = compileTemplate(content.subject, { mode: "text", limits });
  if (!subject.ok) tag("subject", subject.error);
  const preheader = content.preheader ? compileTemplate(content.preheader, { mode: "text", limits }) : null;
  if (preheader && !preheader.ok) tag("preheader", preheader.error);

  const surveyed = expandSurvey(content.mjml, content.survey);
  if (!surveyed.ok) {
    tag("mjml", [{ line: 1, column: 1, message: surveyed.error }]);
    return err(issues);
  }
  const expanded = expandBlocks(surveyed.value, blocks.filter((b) => b.channel === "email"));
  if (!expanded.ok) {
    tag("mjml", expanded.error);
    return err(issues);
  }
  // Check Liquid against the author's source first, so lines point into what they wrote.
  const sourceCheck = compileTemplate(expanded.value, { mode: "text", limits });
  if (!sourceCheck.ok) tag("mjml", sourceCheck.error);
  if (issues.length) return err(issues);

  const html = await mjmlToHtml(withPreview(expanded.value, content.preheader));
  if (!html.ok) return err(html.error.map((e) => ({ part: "mjml" as const, line: e.line, column: 1, name: e.tagName, message: e.message })));

  const htmlT = compileTemplate(html.value, { mode: "html", limits });
  const textT = compileTemplate(htmlToText(html.value), { mode: "text", limits });
  // MJML only moves Liquid around; if it broke it, say so rather than send garbage.
  if (!htmlT.ok || !textT.ok) {
    return err([{ part: "mjml", line: 1, column: 1, message: "Liquid must sit inside text or attribute values (mj-text, mj-raw, href, src)" }]);
  }
  return ok({
    purpose: content.purpose,
    subject: (subject as { value: CompiledTemplate }).value,
    preheader: preheader ? (preheader as { value: CompiledTemplate }).value : null,
    html: htmlT.value,
    text: textT.value,
  });
}

export function renderEmail(t: CompiledEmail, vars: Record<string, unknown>): Result<RenderedEmail, RenderFailure> {
  const subject = renderTemplate(t.subject, vars);
  if (!subject.ok) return subject;
  const preheader = t.preheader ? renderTemplate(t.preheader, vars) : ok("");
  if (!preheader.ok) return preheader;
  const html = renderTemplate(t.html, vars);
  if (!html.ok) return html;
  const text = renderTemplate(t.text, vars);
  if (!text.ok) return text;
  return ok({ subject: subject.value.replace(/\s+/g, " ").trim(), preheader: preheader.value, html: html.value, text: text.value });
}
