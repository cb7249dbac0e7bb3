// Named (server-side prepared) statements for hot paths. PostgreSQL parses a named statement
// once per connection, and once its plan cache settles on a generic plan it stops planning it
// too. On the journey engine's path from a trigger to its first send, planning the large
// statements cost more than running them (pg_stat_statements at 200 triggers/s: the admission
// read planned in 1.9 ms and ran in 0.35). Only where the generic plan is as good as a fresh
// one: for the steps write and the send statuses it was at times far slower (a scan instead
// of the key), so those stay unnamed. Measured since: the steps write planned in 1.8 ms and
// ran in 1.4; named, it ran in 0.6 without planning once its tables had been analyzed, but in
// about 4 when its generic plan dated from a nearly empty table (a fresh install, or the
// benchmark filling tables in seconds), until autovacuum's next ANALYZE replaced it. Only for fixed texts: the name is derived from the
// text, so one text always has one name (node-postgres refuses two texts under one).
import { createHash } from "node:crypto";

const names = new Map<string, string>();

/** `text` as a named statement (spread into a query config with its values). */
export function prepared(text: string): { name: string; text: string } {
  let name = names.get(text);
  if (name === undefined) {
    name = `wb_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
    names.set(text, name);
  }
  return { name, text };
}
