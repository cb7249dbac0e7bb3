// The variables a template may reference. A template naming anything else is rejected on
// save, so a typo surfaces in the editor instead of as blank copy in a customer's inbox.

/** leaf: a scalar; object: named fields; list: an array of the given item shape. */
export type VarNode = { kind: "leaf" } | { kind: "object"; fields: Record<string, VarNode> } | { kind: "list"; item: VarNode };

const leaf: VarNode = { kind: "leaf" };
const object = (fields: Record<string, VarNode>): VarNode => ({ kind: "object", fields });
const list = (item: VarNode): VarNode => ({ kind: "list", item });
const leaves = (...names: string[]) => object(Object.fromEntries(names.map((n) => [n, leaf])));

const product = leaves("title", "url", "image_url", "price", "compare_at_price", "vendor");

export const ALLOWED_VARIABLES: VarNode = object({
  customer: leaves("first_name", "last_name", "email", "phone", "locale", "orders_count", "total_spent", "days_since_last_order"),
  last_order: object({
    name: leaf,
    processed_at: leaf,
    total: leaf,
    currency: leaf,
    line_items: list(leaves("title", "quantity", "url", "image_url", "price")),
  }),
  recommended_products: list(product),
  shop: leaves("name", "url", "email", "phone", "postal_address", "currency"),
  offer: leaves("code", "expires_at", "description", "discount_text", "url"),
  unsubscribe_url: leaf,
  preferences_url: leaf,
  /** Signed answer links of the survey block, one per score (core/content/survey.ts). */
  survey_links: list(leaf),
});

// Liquid's array accessors: size on lists, first/last lead into the item.
const LIST_SIZE = "size";
const LIST_ITEM = new Set(["first", "last"]);

/** Checks one variable path (as liquidjs segments); returns the first unknown prefix, or null. */
export function unknownPath(segments: ReadonlyArray<unknown>, tree: VarNode = ALLOWED_VARIABLES): string | null {
  let node: VarNode = tree;
  const seen: string[] = [];
  for (const seg of segments) {
    // Index expressions ([0] or [some_var]) select an item; the inner variable is checked on its own.
    const isIndex = typeof seg !== "string";
    seen.push(isIndex ? "[]" : seg);
    switch (node.kind) {
      case "leaf":
        // Strings have .size too; anything further is a mistake.
        if (seg === LIST_SIZE) return null;
        return seen.join(".");
      case "list":
        if (seg === LIST_SIZE) return null;
        if (isIndex || LIST_ITEM.has(seg as string)) {
          node = node.item;
          continue;
        }
        return seen.join(".");
      case "object": {
        if (isIndex) return seen.join(".");
        const next: VarNode | undefined = Object.hasOwn(node.fields, seg as string) ? node.fields[seg as string] : undefined;
        if (!next) return seen.join(".");
        node = next;
        continue;
      }
    }
  }
  return null;
}

/** The node a path leads to (index segments step into lists), or null when it is not allowed. */
export function nodeAt(segments: ReadonlyArray<unknown>, tree: VarNode = ALLOWED_VARIABLES): VarNode | null {
  let node: VarNode = tree;
  for (const seg of segments) {
    if (node.kind === "object" && typeof seg === "string" && Object.hasOwn(node.fields, seg)) node = node.fields[seg];
    else if (node.kind === "list" && (typeof seg !== "string" || LIST_ITEM.has(seg))) node = node.item;
    else return null;
  }
  return node;
}
