import { compilePath, findAll, formatPath, type PathStep } from "../util/json-path.js";

/** dlt's preferred list names, plus Sage's `$items`, Sage One's `Results` and OData's `value`. */
const PREFERRED = new Set([
  "data",
  "items",
  "results",
  "entries",
  "records",
  "rows",
  "entities",
  "payload",
  "content",
  "objects",
  "values",
  "$items",
  "Results",
  "value",
]);
const EXCLUDED = new Set(["meta", "metadata", "pagination", "links", "extras", "headers"]);
const MAX_DEPTH = 3;

/** A path as a selector string users can paste back: `data`, `$['$items']`, `result.rows`. */
export function selectorString(steps: PathStep[]): string {
  if (steps.length === 0) return "$";
  const s = formatPath(steps);
  return s.startsWith("[") ? `$${s}` : s;
}

function collectLists(node: Record<string, unknown>, path: string[], out: string[][]): void {
  for (const [key, value] of Object.entries(node)) {
    const here = [...path, key];
    if (Array.isArray(value)) out.push(here);
    else if (value !== null && typeof value === "object" && here.length < MAX_DEPTH)
      collectLists(value as Record<string, unknown>, here, out);
  }
}

/**
 * dlt's `find_response_page_data`: a non-object body is the data; otherwise the first list (at
 * most three keys deep) named like data (`items`, `results`, `$items`...), else the first list
 * at all, else the whole object as one item. Lists under `meta`, `links`... are never data.
 */
export function detectDataSelector(body: unknown): string {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return "$";
  const lists: string[][] = [];
  collectLists(body as Record<string, unknown>, [], lists);
  const usable = lists.filter((p) => !p.some((k) => EXCLUDED.has(k)));
  const chosen = usable.find((p) => PREFERRED.has(p[p.length - 1] as string)) ?? usable[0];
  return chosen ? selectorString(chosen.map((key) => ({ key }))) : "$";
}

/** The items a selector picks, and whether it matched anything at all (to warn about typos). */
export function selectItems(body: unknown, selector: string): { items: unknown[]; matched: boolean } {
  if (compilePath(selector).length === 0) {
    if (Array.isArray(body)) return { items: body, matched: true };
    return { items: body === null || body === undefined ? [] : [body], matched: true };
  }
  const values = findAll(body, selector);
  if (values.length === 0) return { items: [], matched: false };
  if (values.length > 1) return { items: values, matched: true };
  const v = values[0];
  if (Array.isArray(v)) return { items: v, matched: true };
  if (v === null || v === undefined) return { items: [], matched: true };
  return { items: [v], matched: true };
}
