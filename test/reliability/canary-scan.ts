import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gunzipSync, inflateSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import pg from "pg";

/**
 * The canary scan's searching half: every form a secret can travel in (as is, URL-encoded, JSON
 * string-escaped, base64 and base64url at any byte alignment, so a `Basic` header or a token
 * inside a base64 blob is found too), searched in texts, in every file under a folder (gzip
 * files unpacked) and in every row of every table of a DuckDB file or a Postgres schema.
 */

export interface Leak {
  canary: string;
  form: string;
  where: string;
}

/** The base64 characters fixed by `value`'s bytes alone whatever comes before or after it. */
function base64Cores(value: string, url: boolean): string[] {
  const bytes = Buffer.from(value, "utf8");
  const out: string[] = [];
  for (let pad = 0; pad < 3; pad++) {
    const encoded = Buffer.concat([Buffer.alloc(pad, 0x41), bytes]).toString(url ? "base64url" : "base64");
    // A group holding a pad byte or the unknown bytes after the value depends on them: drop it.
    const core = encoded.replace(/=+$/, "").slice(pad === 0 ? 0 : 4, -4);
    if (core.length >= 8) out.push(core);
  }
  return out;
}

/** Each form a canary is searched in, with a name for the report. */
export function canaryForms(canary: string): Array<{ form: string; text: string }> {
  const forms = [
    { form: "plain", text: canary },
    { form: "url-encoded", text: encodeURIComponent(canary) },
    { form: "form-encoded", text: new URLSearchParams({ v: canary }).toString().slice(2) },
    { form: "json-escaped", text: JSON.stringify(canary).slice(1, -1) },
    ...base64Cores(canary, false).map((text) => ({ form: "base64", text })),
    ...base64Cores(canary, true).map((text) => ({ form: "base64url", text })),
  ];
  const seen = new Set<string>();
  return forms.filter((f) => !seen.has(f.text) && seen.add(f.text));
}

export class CanaryScan {
  readonly leaks: Leak[] = [];
  /** What was searched, for the report: texts, files, table rows. */
  readonly counts = { texts: 0, files: 0, tables: 0, rows: 0 };
  private readonly forms: Array<{ canary: string; form: string; text: string }>;

  constructor(readonly canaries: readonly string[]) {
    this.forms = canaries.flatMap((canary) => canaryForms(canary).map((f) => ({ canary, ...f })));
  }

  text(where: string, text: string): void {
    this.counts.texts++;
    for (const f of this.forms) {
      if (text.includes(f.text)) this.leaks.push({ canary: f.canary, form: f.form, where });
    }
  }

  /** Every file under `root` but the `skip` ones (absolute paths), bytes read as latin1 so binary files are searched too. */
  files(root: string, skip: ReadonlySet<string>): void {
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        const st = statSync(p);
        if (st.isDirectory()) {
          walk(p);
          continue;
        }
        if (skip.has(p)) continue;
        this.counts.files++;
        const bytes = readFileSync(p);
        const where = `file ${relative(root, p)}`;
        this.text(where, bytes.toString("utf8"));
        this.text(where, bytes.toString("latin1"));
        if (name.endsWith(".gz")) this.text(`${where} (unpacked)`, gunzipSync(bytes).toString("utf8"));
      }
    };
    if (existsSync(root)) walk(root);
  }

  /** Every row of every table of a DuckDB file, opened read-only. */
  async duckdb(file: string): Promise<void> {
    const instance = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
    const conn = await instance.connect();
    try {
      const tables = (
        await conn.runAndReadAll(
          "select table_catalog, table_schema, table_name from information_schema.tables where table_catalog = current_database()",
        )
      ).getRowObjectsJson() as Array<{ table_catalog: string; table_schema: string; table_name: string }>;
      for (const t of tables) {
        const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
        // With the catalog: a file named like a schema in it makes `schema.table` ambiguous.
        const name = `${q(t.table_catalog)}.${q(t.table_schema)}.${q(t.table_name)}`;
        const rows = (await conn.runAndReadAll(`select * from ${name}`)).getRowObjectsJson();
        this.rows(`duckdb ${file} ${t.table_schema}.${t.table_name}`, rows);
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  }

  /** Every row of every table of these Postgres schemas. */
  async postgres(client: pg.Client, schemas: readonly string[]): Promise<void> {
    const tables = await client.query<{ table_schema: string; table_name: string }>(
      "select table_schema, table_name from information_schema.tables where table_schema = any($1)",
      [schemas],
    );
    for (const t of tables.rows) {
      const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
      const rows = await client.query(`select * from ${q(t.table_schema)}.${q(t.table_name)}`);
      this.rows(`postgres ${t.table_schema}.${t.table_name}`, rows.rows);
    }
  }

  private rows(where: string, rows: unknown[]): void {
    this.counts.tables++;
    this.counts.rows += rows.length;
    const packed: string[] = [];
    const json = JSON.stringify(rows, (_k, v: unknown) => {
      if (typeof v === "bigint") return v.toString();
      // dlt keeps the pipeline state as base64(zlib(json)): search it unpacked too.
      if (typeof v === "string" && v.length >= 16 && /^[A-Za-z0-9+/]+=*$/.test(v)) {
        try {
          packed.push(inflateSync(Buffer.from(v, "base64")).toString("utf8"));
        } catch {
          // not a packed value
        }
      }
      return v;
    });
    this.text(where, json);
    for (const p of packed) this.text(`${where} (unpacked state)`, p);
  }

  /** A readable list of the leaks (empty when none). */
  report(): string[] {
    return this.leaks.map((l) => `${l.canary.slice(0, 12)}… (${l.form}) in ${l.where}`);
  }
}
