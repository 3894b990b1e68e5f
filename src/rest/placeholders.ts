/**
 * dlt's placeholder grammar: `{resources.<parent>.<field>}` and `{incremental.start_value}` in
 * paths, params, json, data and headers; `{{` and `}}` are literal braces. Braces that do not
 * enclose `name` or `name.rest` stay literal (a GraphQL body need not be escaped, unlike dlt).
 */

export type IncrementalKey = "start_value" | "initial_value" | "last_value" | "end_value";

export type PlaceholderRef =
  | { kind: "resource"; resource: string; field: string; raw: string }
  | { kind: "incremental"; key: IncrementalKey; raw: string }
  /** `{id}`: a legacy path parameter (dlt's `resolve` params), or a typo. */
  | { kind: "name"; name: string; raw: string }
  /** `{something.else}` with an unknown context, or `{incremental.bogus}`. */
  | { kind: "unknown"; context: string; raw: string };

export type Segment = string | PlaceholderRef;

const CONTENT = /^[A-Za-z_][\w-]*(\.[^{}]+)?$/;
const INCREMENTAL_KEYS: Record<string, IncrementalKey> = {
  start_value: "start_value",
  startValue: "start_value",
  initial_value: "initial_value",
  initialValue: "initial_value",
  last_value: "last_value",
  lastValue: "last_value",
  end_value: "end_value",
  endValue: "end_value",
};

function classify(content: string): PlaceholderRef {
  const raw = `{${content}}`;
  const dot = content.indexOf(".");
  if (dot < 0) return { kind: "name", name: content, raw };
  const context = content.slice(0, dot);
  const rest = content.slice(dot + 1);
  if (context === "resources") {
    const d = rest.indexOf(".");
    if (d > 0 && d < rest.length - 1) return { kind: "resource", resource: rest.slice(0, d), field: rest.slice(d + 1), raw };
    return { kind: "unknown", context, raw };
  }
  if (context === "incremental") {
    const key = INCREMENTAL_KEYS[rest];
    return key ? { kind: "incremental", key, raw } : { kind: "unknown", context, raw };
  }
  return { kind: "unknown", context, raw };
}

const parsed = new Map<string, Segment[]>();

export function parseTemplate(s: string): Segment[] {
  const hit = parsed.get(s);
  if (hit) return hit;
  const out: Segment[] = [];
  let lit = "";
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if ((c === "{" || c === "}") && s[i + 1] === c) {
      lit += c;
      i += 2;
      continue;
    }
    if (c === "{") {
      const end = s.indexOf("}", i + 1);
      const content = end > 0 ? s.slice(i + 1, end) : "";
      if (end > 0 && CONTENT.test(content)) {
        if (lit) out.push(lit);
        lit = "";
        out.push(classify(content));
        i = end + 1;
        continue;
      }
    }
    lit += c;
    i++;
  }
  if (lit) out.push(lit);
  if (parsed.size > 5000) parsed.clear();
  parsed.set(s, out);
  return out;
}

/** The single placeholder a string consists of, if that is all it is (type-preserving cases). */
export function wholePlaceholder(s: string): PlaceholderRef | undefined {
  const segs = parseTemplate(s);
  return segs.length === 1 && typeof segs[0] !== "string" ? segs[0] : undefined;
}

/** Every placeholder in a string or nested value (object values and array items). */
export function collectRefs(value: unknown, out: PlaceholderRef[] = []): PlaceholderRef[] {
  if (typeof value === "string") {
    for (const seg of parseTemplate(value)) if (typeof seg !== "string") out.push(seg);
  } else if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, out);
  } else if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectRefs(v, out);
  }
  return out;
}

export type Lookup = (ref: PlaceholderRef) => unknown;

/** How a value reads inside a string: dates as ISO, objects as JSON, nothing as "". */
export function toText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return v.toString();
  // Functions and symbols have no JSON text (JSON.stringify would give undefined).
  if (typeof v === "function" || typeof v === "symbol") return "";
  return JSON.stringify(v);
}

/** Fill a string; `encode` URL-encodes each inserted value (for paths). Literal `{name}` stays. */
export function renderString(s: string, lookup: Lookup, encode = false): string {
  let out = "";
  for (const seg of parseTemplate(s)) {
    if (typeof seg === "string") out += seg;
    else if (seg.kind === "resource" || seg.kind === "incremental") {
      const text = toText(lookup(seg));
      out += encode ? encodeURIComponent(text) : text;
    } else out += seg.raw;
  }
  return out;
}

/** Fill a JSON body: a string that is exactly one placeholder keeps the value's type (`5` stays a number). */
export function renderJson(value: unknown, lookup: Lookup): unknown {
  if (typeof value === "string") {
    const whole = wholePlaceholder(value);
    if (whole && (whole.kind === "resource" || whole.kind === "incremental")) {
      const v = lookup(whole);
      return v instanceof Date ? v.toISOString() : (v ?? null);
    }
    return renderString(value, lookup);
  }
  if (Array.isArray(value)) return value.map((v) => renderJson(v, lookup));
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderJson(v, lookup)]));
  }
  return value;
}
