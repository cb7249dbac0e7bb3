// What a draft save changed, for the audit log: the journey-level fields that differ, and the
// nodes added, removed or edited (by id). Drafts may be incomplete, so nothing here assumes
// the schema holds; values are compared by content, not by key order.

export interface DraftChanges {
  /** Top-level fields other than `nodes` whose value differs (`layout` included: moving a node is a change). */
  fields: string[];
  nodesAdded: string[];
  nodesRemoved: string[];
  nodesChanged: string[];
}

type Loose = Record<string, unknown>;
const isObj = (v: unknown): v is Loose => typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON with object keys sorted, so {a,b} and {b,a} compare equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

/** Nodes by id; a node without a string id is keyed by its position, so it is still counted. */
function nodesById(draft: Loose): Map<string, string> {
  const out = new Map<string, string>();
  const nodes = Array.isArray(draft.nodes) ? draft.nodes : [];
  nodes.forEach((n, i) => {
    const id = isObj(n) && typeof n.id === "string" && n.id !== "" ? n.id : `#${i}`;
    out.set(out.has(id) ? `${id}#${i}` : id, canonical(n));
  });
  return out;
}

export function diffDrafts(before: unknown, after: unknown): DraftChanges {
  const a = isObj(before) ? before : {};
  const b = isObj(after) ? after : {};
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => k !== "nodes" && canonical(a[k]) !== canonical(b[k]))
    .sort();
  const na = nodesById(a), nb = nodesById(b);
  return {
    fields,
    nodesAdded: [...nb.keys()].filter((id) => !na.has(id)),
    nodesRemoved: [...na.keys()].filter((id) => !nb.has(id)),
    nodesChanged: [...nb.keys()].filter((id) => na.has(id) && na.get(id) !== nb.get(id)),
  };
}

export function isUnchanged(c: DraftChanges): boolean {
  return c.fields.length + c.nodesAdded.length + c.nodesRemoved.length + c.nodesChanged.length === 0;
}
