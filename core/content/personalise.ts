// Liquid personalisation. Templates are checked and parsed once on save/compile and rendered
// per recipient. The engine is sandboxed: no file system (an empty in-memory template map, and
// include/render/layout are rejected), own properties only, and hard limits on template size,
// render time, allocations and output size.
import { Liquid, type Template } from "liquidjs";
import { err, ok, type Result } from "../result";
import { lineAndColumn, type TemplateIssue } from "./blocks";
import { nodeAt, unknownPath, type VarNode } from "./variables";

export { expandBlocks, type TemplateIssue } from "./blocks";

export type TemplateMode = "html" | "text";

export type TemplateLimits = {
  maxSourceChars: number;
  renderTimeMs: number;
  /** liquidjs memoryLimit: counts allocations in string/array filters. */
  memory: number;
  maxOutputChars: number;
};

export const DEFAULT_LIMITS: TemplateLimits = {
  maxSourceChars: 300_000,
  renderTimeMs: 200,
  memory: 10_000_000,
  maxOutputChars: 1_000_000,
};

export type CompiledTemplate = {
  readonly mode: TemplateMode;
  readonly limits: TemplateLimits;
  readonly parsed: Template[];
  readonly engine: Liquid;
};

export type RenderFailure =
  | { kind: "missing_data"; message: string }
  | { kind: "limit"; message: string }
  | { kind: "error"; message: string };

// `{% for p in recommended_products %}`: p's fields are checked against the list's item shape.
const FOR_TAG = /\{%-?\s*for\s+([A-Za-z_][\w-]*)\s+in\s+([A-Za-z_][\w.]*)/g;
const FORBIDDEN_TAGS = /\{%-?\s*(include|render|layout)\b/g;

const engines = new Map<string, Liquid>();
function engineFor(mode: TemplateMode, limits: TemplateLimits): Liquid {
  const key = `${mode}:${limits.maxSourceChars}:${limits.renderTimeMs}:${limits.memory}`;
  let engine = engines.get(key);
  if (!engine) {
    engine = new Liquid({
      templates: {},
      strictVariables: true, // a missing value is an error, so the fallback chain can act on it
      lenientIf: true, // ...except in `if` and `default`, where authors handle it themselves
      strictFilters: true,
      ownPropertyOnly: true,
      outputEscape: mode === "html" ? "escape" : undefined,
      parseLimit: limits.maxSourceChars,
      renderLimit: limits.renderTimeMs,
      memoryLimit: limits.memory,
    });
    engines.set(key, engine);
  }
  return engine;
}

function issueFromLiquidError(e: unknown): TemplateIssue {
  const message = e instanceof Error ? e.message : String(e);
  const at = /line:(\d+), col:(\d+)/.exec(message);
  return { line: at ? Number(at[1]) : 1, column: at ? Number(at[2]) : 1, message };
}

/** Validates and parses a template. Issues carry line, column and the offending name. */
export function compileTemplate(
  source: string,
  opts: { mode: TemplateMode; limits?: TemplateLimits } = { mode: "text" },
): Result<CompiledTemplate, TemplateIssue[]> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  if (source.length > limits.maxSourceChars) {
    return err([{ line: 1, column: 1, message: `template is longer than ${limits.maxSourceChars} characters` }]);
  }
  const issues: TemplateIssue[] = [];
  for (const m of source.matchAll(FORBIDDEN_TAGS)) {
    issues.push({ ...lineAndColumn(source, m.index), name: m[1], message: `the ${m[1]} tag is not allowed; use [[block:name]]` });
  }
  if (issues.length) return err(issues);

  const engine = engineFor(opts.mode, limits);
  let parsed: Template[];
  try {
    parsed = engine.parse(source);
  } catch (e) {
    return err([issueFromLiquidError(e)]);
  }
  type Refs = Record<string, Array<{ toArray(): unknown[]; location: { row: number; col: number } }>>;
  let analysis: { globals: Refs; variables: Refs };
  try {
    analysis = engine.analyzeSync(parsed, { partials: false });
  } catch (e) {
    return err([issueFromLiquidError(e)]);
  }
  for (const refs of Object.values(analysis.globals)) {
    for (const ref of refs) {
      const bad = unknownPath(ref.toArray());
      if (bad) issues.push({ line: ref.location.row, column: ref.location.col, name: bad, message: `unknown variable "${bad}"` });
    }
  }
  const loopItems = new Map<string, VarNode>();
  for (const m of source.matchAll(FOR_TAG)) {
    const list = nodeAt(m[2].split("."));
    if (list?.kind === "list") loopItems.set(m[1], list.item);
  }
  for (const [name, item] of loopItems) {
    for (const ref of analysis.variables[name] ?? []) {
      const [, ...rest] = ref.toArray();
      const bad = unknownPath(rest, item);
      if (bad) issues.push({ line: ref.location.row, column: ref.location.col, name: `${name}.${bad}`, message: `unknown variable "${name}.${bad}"` });
    }
  }
  issues.sort((a, b) => a.line - b.line || a.column - b.column);
  return issues.length ? err(issues) : ok({ mode: opts.mode, limits, parsed, engine });
}

// null and "" mean "we don't know": make them undefined so strict mode and `default` see them as missing.
function normalise(value: unknown): unknown {
  if (value === null || value === "") return undefined;
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === "object" && value !== undefined && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const n = normalise(v);
      if (n !== undefined) out[k] = n;
    }
    return out;
  }
  return value;
}

export function renderTemplate(t: CompiledTemplate, vars: Record<string, unknown>): Result<string, RenderFailure> {
  let out: string;
  try {
    out = t.engine.renderSync(t.parsed, normalise(vars) as object) as string;
  } catch (e) {
    const name = e instanceof Error ? e.name : "";
    const message = e instanceof Error ? e.message : String(e);
    if (name === "UndefinedVariableError") return err({ kind: "missing_data", message });
    if (/limit exceeded/i.test(message)) return err({ kind: "limit", message });
    return err({ kind: "error", message });
  }
  if (out.length > t.limits.maxOutputChars) return err({ kind: "limit", message: `output longer than ${t.limits.maxOutputChars} characters` });
  return ok(out);
}
