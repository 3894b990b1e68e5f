import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import { NamingConvention } from "../../src/normalize/index.js";
import type { Pipeline } from "../../src/pipeline/index.js";
import type { Sandbox, SaRecord } from "../../src/sandbox/index.js";
import type { SageOneZaOptions, SaResourceSpec } from "../../src/sageone-za/index.js";

export type Row = Record<string, unknown>;

/** The sandbox's SA credentials and URL, paced fast enough for tests (the pacing has its own test). */
export function saOptions(sb: Sandbox, extra: SageOneZaOptions = {}): SageOneZaOptions {
  const o = sb.options;
  return {
    baseUrl: sb.saBaseUrl,
    apiKey: o.saApiKey,
    username: o.saUsername,
    password: o.saPassword,
    requestsPerSecond: 1000,
    requestsPerMinute: 1_000_000,
    ...extra,
  };
}

const naming = new NamingConvention();

/** A record as the engine flattens it: snake_case names, nested objects as `a__b`, lists left out (child tables). */
export function flatten(record: Record<string, unknown>, prefix = ""): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(record)) {
    const name = `${prefix}${naming.normalizeIdentifier(k)}`;
    if (Array.isArray(v)) continue;
    if (v !== null && typeof v === "object") Object.assign(out, flatten(v as Record<string, unknown>, `${name}__`));
    else out[name] = v;
  }
  return out;
}

/** `12.500000000` → `12.5`, `0.000000000` → `0`. */
export function trimDecimal(s: string): string {
  if (!s.includes(".")) return s;
  return s.replace(/0+$/, "").replace(/\.$/, "");
}

/**
 * A loaded value against the API's: decimals exactly (as text, not via floats), dates cut from the
 * midnight timestamp, naive timestamps to the millisecond.
 */
export function expectSame(db: unknown, api: unknown, where: string): void {
  if (db instanceof Date) expect(db.toISOString().slice(0, 23), where).toBe(api);
  else if (typeof api === "number" && typeof db === "string") expect(trimDecimal(db), where).toBe(String(api));
  else if (typeof api === "string" && /T00:00:00$/.test(api) && typeof db === "string" && db.length === 10)
    expect(db, where).toBe(api.slice(0, 10));
  else expect(db, where).toEqual(api);
}

/** Every field of every API record against the loaded row with the same id (and the row count). */
export function expectRowsMatch(dbRows: Row[], records: SaRecord[], company: number, where: string): void {
  expect(dbRows.length, `${where}: row count`).toBe(records.length);
  const byId = new Map(dbRows.map((r) => [r.id, r]));
  for (const rec of records) {
    const row = byId.get(rec.ID);
    expect(row, `${where}: id ${String(rec.ID)}`).toBeDefined();
    expect(row!.company_id, `${where}: company_id`).toBe(company);
    for (const [k, v] of Object.entries(flatten(rec))) expectSame(row![k], v, `${where} id ${String(rec.ID)} ${k}`);
  }
}

/** Lines of one company's documents, in document and line order, with the parent's id. */
export async function loadedLines(p: Pipeline, spec: SaResourceSpec, company: number): Promise<Row[]> {
  return p
    .dataset()
    .sql(
      `SELECT r.id AS parent_id, l.* FROM ${spec.name}__lines l JOIN ${spec.name} r ON l._dlt_parent_id = r._dlt_id
     WHERE r.company_id = ${company} ORDER BY r.id, l._dlt_list_idx`,
    )
    .rows();
}

export function expectLinesMatch(lines: Row[], records: SaRecord[], company: number, where: string): void {
  const expected = [...records]
    .sort((a, b) => (a.ID as number) - (b.ID as number))
    .flatMap((r) => (r.Lines as SaRecord[]).map((l) => ({ parent: r.ID, line: l })));
  expect(lines.length, `${where}: line count`).toBe(expected.length);
  expected.forEach(({ parent, line }, i) => {
    const row = lines[i]!;
    expect(row.parent_id, `${where} line ${i}`).toBe(parent);
    expect(row.company_id, `${where} line ${i} company_id`).toBe(company);
    for (const [k, v] of Object.entries(flatten(line))) expectSame(row[k], v, `${where} line ${i} ${k}`);
  });
}

/** Exact sum of a 2-decimal JSON-number field, as a decimal string without trailing zeros. */
export function exactSum(records: SaRecord[], field: string): string {
  const cents = records.reduce((s, r) => s + BigInt(Math.round((r[field] as number) * 100)), 0n);
  const sign = cents < 0n ? "-" : "";
  const abs = cents < 0n ? -cents : cents;
  return trimDecimal(`${sign}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`);
}

/**
 * A pass-through proxy in front of the sandbox whose `rule` may answer instead (a 404 for a
 * service in one company, a 400 for `$filter`): behaviour the sandbox itself does not produce.
 */
export async function startProxy(
  target: string,
  rule: (url: URL) => { status: number; body: unknown } | undefined,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", target);
    const answer = rule(url);
    const send = (status: number, text: string) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(text);
    };
    if (answer) {
      send(answer.status, JSON.stringify(answer.body));
      return;
    }
    fetch(url, { headers: { authorization: req.headers.authorization ?? "", accept: "application/json" } })
      .then(async (r) => {
        send(r.status, await r.text());
      })
      .catch(() => {
        send(502, "{}");
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}
