// Streaming reads of a bulk operation's JSONL: lines as they arrive (never the whole file),
// and parents joined with the children listed right below them (groupObjects: true).

export type JsonObject = Record<string, unknown> & { id?: string; __parentId?: string };

export async function* readLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of body) {
    rest += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = rest.indexOf("\n")) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line.trim() !== "") yield line;
    }
  }
  rest += decoder.decode();
  if (rest.trim() !== "") yield rest;
}

export interface Group {
  parent: JsonObject;
  children: JsonObject[];
  /** Lines consumed up to and including this group's last line (the resume point after it). */
  endLine: number;
}

export interface GroupStats { orphans: number; malformed: number }

/**
 * Groups lines into parent + children, skipping the first `skip` lines (already ingested; a
 * resume point is always a group boundary). A child whose parent is not the group being read
 * is counted as an orphan and dropped.
 */
export async function* groupLines(lines: AsyncIterable<string>, skip: number, stats: GroupStats): AsyncGenerator<Group> {
  let n = 0;
  let open: Group | undefined;
  for await (const line of lines) {
    n++;
    if (n <= skip) continue;
    let obj: JsonObject;
    try {
      obj = JSON.parse(line);
    } catch {
      stats.malformed++;
      continue;
    }
    if (obj.__parentId) {
      if (open && open.parent.id === obj.__parentId) {
        open.children.push(obj);
        open.endLine = n;
      } else stats.orphans++;
      continue;
    }
    if (open) yield open;
    open = { parent: obj, children: [], endLine: n };
  }
  if (open) yield open;
}
