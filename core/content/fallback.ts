// Missing data falls back in order: the `default` filter inside a template handles single
// variables; when a template still cannot render, the next variant (the default block, then
// the shop's generic copy) is tried.
import { err, ok, type Result } from "../result";
import type { RenderFailure } from "./personalise";

export type Variant = "primary" | "fallback" | "generic";

export function renderFirst<T, R>(
  variants: ReadonlyArray<{ variant: Variant; template: T }>,
  render: (template: T) => Result<R, RenderFailure>,
): Result<{ variant: Variant; output: R }, Array<{ variant: Variant; failure: RenderFailure }>> {
  const failures: Array<{ variant: Variant; failure: RenderFailure }> = [];
  for (const { variant, template } of variants) {
    const r = render(template);
    if (r.ok) return ok({ variant, output: r.value });
    failures.push({ variant, failure: r.error });
    // Only missing data justifies other copy; a limit or engine error would hit every variant.
    if (r.error.kind !== "missing_data") break;
  }
  return err(failures);
}
