/**
 * The JSONPath subset that data selectors, cursor paths and paginator paths need:
 * `$`, dotted keys (`data.items`), bracket keys (`$['$items']`, `["@odata.nextLink"]`),
 * indexes (`items[0]`), wildcards (`items[*].id`, `items.*`). Paths are compiled once.
 */
export type PathStep = { key: string } | { index: number } | { wildcard: true };

export class JsonPathError extends Error {}

const cache = new Map<string, PathStep[]>();

export function compilePath(path: string): PathStep[] {
  const hit = cache.get(path);
  if (hit) return hit;
  const steps: PathStep[] = [];
  let i = 0;
  const s = path.trim();
  if (s.startsWith("$")) {
    // `$` alone is the root, `$items` is a key (Sage's envelope) unless followed by . or [
    if (s.length === 1 || s[1] === "." || s[1] === "[") i = 1;
  }
  const fail = (why: string) => new JsonPathError(`invalid path ${JSON.stringify(path)}: ${why} at position ${i}`);
  while (i < s.length) {
    const ch = s[i];
    if (ch === ".") {
      i++;
      if (s[i] === ".") throw fail("recursive descent (..) is not supported");
      continue;
    }
    if (ch === "[") {
      const q = s[i + 1];
      if (q === "'" || q === '"') {
        const end = s.indexOf(q + "]", i + 2);
        if (end < 0) throw fail("unclosed bracket key");
        steps.push({ key: s.slice(i + 2, end) });
        i = end + 2;
      } else {
        const end = s.indexOf("]", i);
        if (end < 0) throw fail("unclosed bracket");
        const inner = s.slice(i + 1, end).trim();
        if (inner === "*") steps.push({ wildcard: true });
        else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
        else throw fail(`unsupported bracket expression [${inner}]`);
        i = end + 1;
      }
      continue;
    }
    let j = i;
    while (j < s.length && s[j] !== "." && s[j] !== "[") j++;
    const key = s.slice(i, j);
    if (key === "*") steps.push({ wildcard: true });
    else if (key.length > 0) steps.push({ key });
    i = j;
  }
  cache.set(path, steps);
  return steps;
}

/** Every value the path matches (wildcards may match many). */
export function findAll(value: unknown, path: string | PathStep[]): unknown[] {
  const steps = typeof path === "string" ? compilePath(path) : path;
  let current: unknown[] = [value];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const node of current) {
      if (node === null || typeof node !== "object") continue;
      if ("wildcard" in step) {
        if (Array.isArray(node)) next.push(...(node as unknown[]));
        else next.push(...Object.values(node as Record<string, unknown>));
      } else if ("index" in step) {
        if (Array.isArray(node)) {
          const v: unknown = node[step.index < 0 ? node.length + step.index : step.index];
          if (v !== undefined) next.push(v);
        }
      } else if (!Array.isArray(node) && Object.prototype.hasOwnProperty.call(node, step.key)) {
        next.push((node as Record<string, unknown>)[step.key]);
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

/** The first match, or undefined. */
export function findFirst(value: unknown, path: string | PathStep[]): unknown {
  return findAll(value, path)[0];
}

/** Set a value at a path of plain keys, creating objects on the way (for JSON body paths). */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const steps = compilePath(path);
  let node: Record<string, unknown> = target;
  steps.forEach((step, n) => {
    if (!("key" in step)) throw new JsonPathError(`cannot set a value at ${path}: only plain keys are allowed`);
    if (n === steps.length - 1) {
      node[step.key] = value;
      return;
    }
    const child = node[step.key];
    if (child === null || typeof child !== "object" || Array.isArray(child)) node[step.key] = {};
    node = node[step.key] as Record<string, unknown>;
  });
}

/** The path rendered back as a string, for messages. */
export function formatPath(steps: PathStep[]): string {
  return steps
    .map((s) =>
      "wildcard" in s ? "[*]" : "index" in s ? `[${s.index}]` : /^[A-Za-z_][\w]*$/.test(s.key) ? `.${s.key}` : `['${s.key}']`,
    )
    .join("")
    .replace(/^\./, "");
}
