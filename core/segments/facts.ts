// What a tree needs to know about time: whether its membership can change by the clock alone
// (a relative window anywhere, following references), and which event names its time
// windows look at, so a shell loads only those facts for nextMembershipChange.
import { ENGAGEMENT_EVENT_NAMES, type SegmentNode, type Step } from "./schema";
import { isRelative } from "./window";

type Resolve = (id: string) => SegmentNode | undefined;

function walk(tree: SegmentNode, resolve: Resolve | undefined, visit: (n: SegmentNode) => void, seen: string[] = []): void {
  visit(tree);
  switch (tree.kind) {
    case "and":
    case "or":
      return tree.children.forEach((c) => walk(c, resolve, visit, seen));
    case "not":
      return walk(tree.child, resolve, visit, seen);
    case "in_segment": {
      if (seen.includes(tree.segment_id)) return;
      const other = resolve?.(tree.segment_id);
      if (other) walk(other, resolve, visit, [...seen, tree.segment_id]);
      return;
    }
    default:
      return;
  }
}

const RELATIVE_KINDS = new Set(["last_days", "between_days_ago", "older_than_days", "next_days"]);

/** True when some window in the tree (or a referenced tree) moves with the clock. */
export function isTimeDriven(tree: SegmentNode, resolve?: Resolve): boolean {
  let found = false;
  walk(tree, resolve, (n) => {
    if (found) return;
    // Windows sit in `window` fields and in comparisons; none of them is a node kind.
    const windows: unknown[] = [];
    if ("window" in n) windows.push(n.window);
    if ("cmp" in n && n.cmp && "window" in n.cmp) windows.push(n.cmp.window);
    found = windows.some((w) => typeof w === "object" && w !== null && RELATIVE_KINDS.has((w as { kind: string }).kind));
  });
  return found;
}

/** Event names whose times a relative window of the tree looks at. */
export function timeDrivenEventNames(tree: SegmentNode, resolve?: Resolve): string[] {
  const names = new Set<string>();
  const step = (s: Step) => {
    if (s.source === "event") names.add(s.name);
  };
  walk(tree, resolve, (n) => {
    switch (n.kind) {
      case "engagement":
        if (isRelative(n.window)) names.add(ENGAGEMENT_EVENT_NAMES[n.action]);
        return;
      case "event":
        if (isRelative(n.window)) names.add(n.name);
        return;
      case "sequence":
        if (isRelative(n.window)) step(n.first);
        return;
      case "consecutive_days":
        if (isRelative(n.window)) step(n.step);
        return;
      default:
        return;
    }
  });
  return [...names].sort();
}
