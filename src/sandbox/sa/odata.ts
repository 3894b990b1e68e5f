import type { SaRecord } from "./sa-data.js";

/** A `$filter`/`$orderby` the SA API would refuse (400). */
export class ODataError extends Error {}

type Literal = string | number | boolean | null;
interface Comparison {
  field: string;
  op: string;
  value: Literal;
  isDate: boolean;
}

const OPS = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);

const TOKEN = /\s*(datetime'[^']*'|'(?:[^']|'')*'|-?\d+(?:\.\d+)?|\w+)\s*/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const m = TOKEN.exec(text);
    if (!m) throw new ODataError(`The query specified in the URI is not valid: cannot parse "${text.slice(TOKEN.lastIndex)}".`);
    out.push(m[1]!);
  }
  return out;
}

function literal(token: string): { value: Literal; isDate: boolean } {
  if (token.startsWith("datetime'")) {
    const ms = Date.parse(`${token.slice(9, -1)}${/T/.test(token) ? "" : "T00:00:00"}Z`);
    if (Number.isNaN(ms)) throw new ODataError(`Invalid datetime literal ${token}.`);
    return { value: ms, isDate: true };
  }
  if (token.startsWith("'")) return { value: token.slice(1, -1).replace(/''/g, "'"), isDate: false };
  if (token === "true" || token === "false") return { value: token === "true", isDate: false };
  if (token === "null") return { value: null, isDate: false };
  if (/^-?\d/.test(token)) return { value: Number(token), isDate: false };
  throw new ODataError(`Unsupported literal ${token}.`);
}

/** The subset clients use for incremental loads: `Field op literal` joined by `and`. */
export function parseFilter(text: string): Comparison[] {
  const tokens = tokenize(text);
  const out: Comparison[] = [];
  let i = 0;
  while (i < tokens.length) {
    const [field, op, lit] = [tokens[i], tokens[i + 1]?.toLowerCase(), tokens[i + 2]];
    if (!field || !op || !lit || !OPS.has(op) || !/^[A-Za-z]\w*$/.test(field)) {
      throw new ODataError(`The query specified in the URI is not valid: "${text}".`);
    }
    out.push({ field, op, ...literal(lit) });
    i += 3;
    if (i < tokens.length) {
      if (tokens[i]?.toLowerCase() !== "and") throw new ODataError(`Only "and" may join conditions in $filter: "${text}".`);
      i++;
    }
  }
  return out;
}

function compare(a: number | string | boolean, b: number | string | boolean): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function matches(record: SaRecord, conditions: Comparison[]): boolean {
  return conditions.every((c) => {
    let v = record[c.field] as Literal | undefined;
    if (v === undefined) return false;
    if (c.isDate && typeof v === "string") v = Date.parse(`${v}Z`);
    if (v === null || c.value === null) return c.op === "eq" ? v === c.value : c.op === "ne" ? v !== c.value : false;
    const r = compare(v, c.value);
    switch (c.op) {
      case "eq":
        return r === 0;
      case "ne":
        return r !== 0;
      case "gt":
        return r > 0;
      case "ge":
        return r >= 0;
      case "lt":
        return r < 0;
      default:
        return r <= 0;
    }
  });
}

export function parseOrderBy(text: string): Array<{ field: string; descending: boolean }> {
  return text.split(",").map((part) => {
    const [field = "", dir = "asc"] = part.trim().split(/\s+/);
    if (!/^[A-Za-z]\w*$/.test(field) || !/^(asc|desc)$/i.test(dir)) throw new ODataError(`Invalid $orderby "${text}".`);
    return { field, descending: dir.toLowerCase() === "desc" };
  });
}

export function sortRecords(records: SaRecord[], order: Array<{ field: string; descending: boolean }>): SaRecord[] {
  return [...records].sort((a, b) => {
    for (const o of order) {
      const x = a[o.field] as string | number | boolean | undefined;
      const y = b[o.field] as string | number | boolean | undefined;
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      const r = compare(x, y);
      return o.descending ? -r : r;
    }
    return (a.ID as number) - (b.ID as number);
  });
}
