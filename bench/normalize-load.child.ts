/**
 * One measured side of bench/normalize-load.bench.ts, alone in its process so that its CPU
 * seconds are its own (getrusage: every thread, DuckDB's and normalize workers' included) and no
 * heap or cache is left over from the other side. Prints one JSON line.
 *
 *   floor: DuckDB's own `read_json` of the raw records into one table of a fresh database.
 *   sql:   DuckDB building our two typed tables itself from the raw records (see `sql` below).
 *   ours:  normalize + load of a copy of an extracted package, with the build whose `src/` folder
 *          is `build` (this build's by default; the bench passes another to measure it beside).
 *   overlap: the best case of loading while normalize still runs (issue 15's last route to the
 *          floor): normalize of one copy of the extracted package and load of a copy normalized
 *          beforehand, started together in one process. An upper bound, not a product path: a
 *          pipelined load would still have a last part to load after normalize, and its schema
 *          would still be changing while the first files loaded.
 */
import { cpSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type * as ConfigModule from "../src/config/index.js";
import type * as DuckdbModule from "../src/destinations/duckdb/index.js";
import type * as PipelineModule from "../src/pipeline/index.js";

export type ChildArgs =
  | { side: "floor" | "sql"; raw: string; db: string }
  | { side: "ours"; build: string; template: string; dir: string }
  | { side: "overlap"; build: string; template: string; normalized: string; dir: string };

export interface Step {
  wall: number;
  /** User + system seconds of the whole process during the step. */
  cpu: number;
}

export type ChildResult =
  | { side: "floor"; floor: Step }
  | { side: "sql"; sql: Step }
  | { side: "ours"; normalize: Step; load: Step }
  | { side: "overlap"; overlap: Step };

async function step(fn: () => Promise<unknown>): Promise<Step> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

async function floor(raw: string, db: string): Promise<ChildResult> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const inst = await DuckDBInstance.create(db);
  const c = await inst.connect();
  const s = await step(() => c.run(`CREATE TABLE invoices AS SELECT * FROM read_json('${raw}', format = 'newline_delimited')`));
  c.closeSync();
  inst.closeSync();
  return { side: "floor", floor: s };
}

/** Text to DECIMAL(38,9) the way the load casts it (read-json.ts): through the 64-bit cast first. */
const dec = (q: string) => `COALESCE(CAST(TRY_CAST(${q} AS DECIMAL(18,9)) AS DECIMAL(38,9)), CAST(${q} AS DECIMAL(38,9)))`;
const REF = "STRUCT(id VARCHAR, displayed_as VARCHAR)";

/**
 * What "let DuckDB flatten" (issue 15) would cost on this data: the root and child tables with our
 * names and types (decimals, dates, timestamps with time zone), random row ids, the child rows
 * linked by parent id and list index, built in SQL from one read_json of the raw records. A speed
 * reference only: written for this bench's record shape, not a normalizer (no variants, no
 * naming rules, no merge, no schema evolution), so it is a lower bound for that path.
 */
async function sql(raw: string, db: string): Promise<ChildResult> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const inst = await DuckDBInstance.create(db);
  const c = await inst.connect();
  const line = `STRUCT(id VARCHAR, description VARCHAR, ledger_account ${REF}, quantity VARCHAR, unit_price VARCHAR, net_amount VARCHAR, tax_rate ${REF})[]`;
  const columns = [
    `id: 'VARCHAR', invoice_number: 'VARCHAR', contact: '${REF}', date: 'VARCHAR', due_date: 'VARCHAR'`,
    `status: '${REF}', net_amount: 'VARCHAR', tax_amount: 'VARCHAR', total_amount: 'VARCHAR', currency: '${REF}'`,
    `created_at: 'VARCHAR', updated_at: 'VARCHAR', invoice_lines: '${line}'`,
  ].join(", ");
  const s = await step(async () => {
    await c.run(
      `CREATE TEMP TABLE r AS SELECT *, gen_random_uuid()::VARCHAR AS _dlt_id FROM read_json('${raw}', format = 'newline_delimited', columns = {${columns}})`,
    );
    await c.run(
      `CREATE TABLE sales_invoices AS SELECT 'load' AS _dlt_load_id, _dlt_id, id, invoice_number, contact.id AS contact__id, contact.displayed_as AS contact__displayed_as, date::DATE AS date, due_date::DATE AS due_date, status.id AS status__id, status.displayed_as AS status__displayed_as, ${dec("net_amount")} AS net_amount, ${dec("tax_amount")} AS tax_amount, ${dec("total_amount")} AS total_amount, currency.id AS currency__id, currency.displayed_as AS currency__displayed_as, created_at::TIMESTAMPTZ AS created_at, updated_at::TIMESTAMPTZ AS updated_at FROM r`,
    );
    await c.run(
      `CREATE TABLE sales_invoices__invoice_lines AS SELECT _dlt_id AS _dlt_root_id, _dlt_id AS _dlt_parent_id, (i - 1)::BIGINT AS _dlt_list_idx, gen_random_uuid()::VARCHAR AS _dlt_id, l.id, l.description, l.ledger_account.id AS ledger_account__id, l.ledger_account.displayed_as AS ledger_account__displayed_as, ${dec("l.quantity")} AS quantity, ${dec("l.unit_price")} AS unit_price, ${dec("l.net_amount")} AS net_amount, l.tax_rate.id AS tax_rate__id, l.tax_rate.displayed_as AS tax_rate__displayed_as FROM (SELECT _dlt_id, unnest(invoice_lines) AS l, generate_subscripts(invoice_lines, 1) AS i FROM r)`,
    );
  });
  c.closeSync();
  inst.closeSync();
  return { side: "sql", sql: s };
}

/**
 * A pipeline of the build whose `src/` folder is `build`, on a copy of the packages in `template`
 * (so that every round works on the same bytes from scratch), named `name` inside `dir`.
 */
async function pipelineOn(build: string, template: string, dir: string, name: string) {
  const url = (p: string) => pathToFileURL(join(resolve(build), p)).href;
  const { ConfigResolver, EnvProvider } = (await import(url("config/index.js"))) as typeof ConfigModule;
  const { duckdb } = (await import(url("destinations/duckdb/index.js"))) as typeof DuckdbModule;
  const { Pipeline } = (await import(url("pipeline/index.js"))) as typeof PipelineModule;
  cpSync(template, join(dir, name), { recursive: true });
  return new Pipeline({
    pipelineName: "bench",
    datasetName: "data",
    destination: duckdb({ credentials: join(dir, `${name}.duckdb`) }),
    pipelinesDir: join(dir, name),
    config: new ConfigResolver([new EnvProvider({})]),
  });
}

async function ours(build: string, template: string, dir: string): Promise<ChildResult> {
  const p = await pipelineOn(build, template, dir, "pipelines");
  const normalize = await step(() => p.normalize());
  const load = await step(() => p.load());
  return { side: "ours", normalize, load };
}

async function overlap(build: string, template: string, normalized: string, dir: string): Promise<ChildResult> {
  const a = await pipelineOn(build, template, dir, "extracted");
  const b = await pipelineOn(build, normalized, dir, "normalized");
  return { side: "overlap", overlap: await step(() => Promise.all([a.normalize(), b.load()])) };
}

const a = JSON.parse(process.argv[2] ?? "{}") as ChildArgs;
const r =
  a.side === "ours"
    ? await ours(a.build, a.template, a.dir)
    : a.side === "overlap"
      ? await overlap(a.build, a.template, a.normalized, a.dir)
      : await (a.side === "sql" ? sql : floor)(a.raw, a.db);
process.stdout.write(`${JSON.stringify(r)}\n`);
