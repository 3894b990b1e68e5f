import { join } from "node:path";
import { loadavg } from "node:os";
import { DuckDBInstance } from "@duckdb/node-api";
import { ConfigResolver, EnvProvider } from "../src/config/index.js";
import { duckdb } from "../src/destinations/duckdb/index.js";
import { type Item, resource } from "../src/extract/index.js";
import { Pipeline } from "../src/pipeline/index.js";
import { sageAccountingSource } from "../src/sage/index.js";
import { type BenchResult, fmt, time, withTempDir } from "./lib.js";
import { admin, sandboxProcess } from "./sandbox-process.js";

/**
 * Many small tables are cheap: the demo's rows (2 businesses at scale 0.3, every default
 * resource) loaded as the demo makes them, in many tables, against the same rows loaded as one
 * table (the baseline, same run).
 */
const SCALE = Number(process.env.BENCH_MANY_TABLES_SCALE ?? 0.3);
const DLT_COLUMNS = ["_dlt_load_id", "_dlt_id", "_dlt_parent_id", "_dlt_root_id", "_dlt_list_idx"];

interface Steps {
  tables: number;
  columns: number;
  normalize: { seconds: number; cpu: number };
  load: { seconds: number; cpu: number };
}

async function measured<T>(fn: () => Promise<T>): Promise<{ seconds: number; cpu: number; value: T }> {
  const c0 = process.cpuUsage();
  const r = await time(fn);
  const c = process.cpuUsage(c0);
  return { ...r, cpu: (c.user + c.system) / 1e6 };
}

const newPipeline = (dir: string, name: string) =>
  new Pipeline({
    pipelineName: name,
    datasetName: "data",
    destination: duckdb({ credentials: join(dir, `${name}.duckdb`) }),
    pipelinesDir: join(dir, `${name}-pipelines`),
    config: new ConfigResolver([new EnvProvider({})]),
  });

/** Every row of every data table (no `_dlt_*` columns), as JSON values, by table. */
async function readRows(file: string, schema: string): Promise<Map<string, Item[]>> {
  const inst = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
  const c = await inst.connect();
  try {
    const tables = await c.runAndReadAll(
      `SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = $s AND table_name NOT LIKE '\\_dlt\\_%' ESCAPE '\\' ORDER BY 1`,
      { s: schema },
    );
    const out = new Map<string, Item[]>();
    const name = String((await c.runAndReadAll("SELECT current_database()")).getRows()[0]![0]);
    for (const [t] of tables.getRows() as Array<[string]>) {
      // With the catalog: a file named like its schema would make `schema.table` ambiguous.
      const r = await c.runAndReadAll(`SELECT * FROM "${name}"."${schema}"."${t}"`);
      const rows = r.getRowObjectsJson().map((row) => {
        const kept: Item = {};
        for (const [k, v] of Object.entries(row)) if (!DLT_COLUMNS.includes(k) && v !== null) kept[k] = v;
        return kept;
      });
      out.set(t, rows);
    }
    return out;
  } finally {
    c.closeSync();
    inst.closeSync();
  }
}

/** The rows as given, through normalize and load (append: the same work for both shapes). */
async function loadShape(dir: string, name: string, byTable: Map<string, Item[]>): Promise<Steps> {
  const p = newPipeline(dir, name);
  const resources = [...byTable].map(([table, rows]) =>
    resource(
      function* () {
        for (let i = 0; i < rows.length; i += 1000) yield rows.slice(i, i + 1000);
      },
      { name: table, writeDisposition: "append" },
    ),
  );
  await p.extract(resources);
  const normalize = await measured(() => p.normalize());
  const load = await measured(() => p.load());
  // Columns summed over the tables (one table: the union of every table's columns).
  let columns = 0;
  for (const rows of byTable.values()) columns += new Set(rows.flatMap((r) => Object.keys(r))).size;
  return { tables: byTable.size, columns, normalize, load };
}

export default async function run(): Promise<BenchResult> {
  const { url, child } = await sandboxProcess({ scale: SCALE, latencyMs: 0, businesses: 2 });
  try {
    return await withTempDir(async (dir) => {
      const avg = loadavg()[0]!;
      const { access_token: token } = await admin(url, "tokens", { scope: "readonly" });
      const config = new ConfigResolver([new EnvProvider({})]);
      const demo = newPipeline(dir, "demo");
      await demo.extract(sageAccountingSource({ baseUrl: `${url}/v3.1`, accessToken: token }, config));
      const demoNormalize = await measured(() => demo.normalize());
      const demoLoad = await measured(() => demo.load());
      const byTable = await readRows(join(dir, "demo.duckdb"), "data");
      const rows = [...byTable.values()].reduce((a, r) => a + r.length, 0);
      const one = new Map([["all_rows", [...byTable.values()].flat()]]);
      // The baseline first, then the many tables; each on a fresh pipeline and DuckDB file.
      const single = await loadShape(dir, "one_table", one);
      const many = await loadShape(dir, "many_tables", byTable);
      const line = (label: string, s: Steps) =>
        `| ${label} | ${String(s.tables)} | ${fmt(s.columns)} | ${fmt(s.normalize.seconds, 2)} (${fmt(s.normalize.cpu, 2)}) | ${fmt(s.load.seconds, 2)} (${fmt(s.load.cpu, 2)}) | ${fmt(s.normalize.seconds + s.load.seconds, 2)} |`;
      return {
        title: "Many small tables: the demo's rows in many tables vs one table (issue 15)",
        markdown: [
          `The demo's data (the sandbox in its own process, 2 businesses at scale ${String(SCALE)}, every default resource) loaded by the Sage source, then its ${fmt(rows)} rows read back from its ${String(byTable.size)} data tables without the \`_dlt_*\` columns and loaded again by a plain resource per table, and once more all of them as one table (the union of their columns; the baseline), each on a fresh pipeline and DuckDB file, append disposition for both. Load average when the run started: ${fmt(avg, 1)} on a shared machine; CPU seconds (process user + system, every thread) in brackets.`,
          "",
          "| run | tables | columns | normalize s (CPU) | load s (CPU) | normalize + load s |",
          "| --- | ---: | ---: | ---: | ---: | ---: |",
          `| the demo as it runs (Sage source: merge, nested rows, ${fmt(Object.keys(demoLoad.value.rowCounts).length)} tables) | ${String(Object.keys(demoLoad.value.rowCounts).length)} | – | ${fmt(demoNormalize.seconds, 2)} (${fmt(demoNormalize.cpu, 2)}) | ${fmt(demoLoad.seconds, 2)} (${fmt(demoLoad.cpu, 2)}) | ${fmt(demoNormalize.seconds + demoLoad.seconds, 2)} |`,
          line("baseline: the same rows as one table", single),
          line("the same rows in their tables", many),
          "",
          `Load step, ${String(many.tables)} tables / one table (the baseline, same run): **${fmt(many.load.seconds / single.load.seconds, 2)}x** wall, ${fmt(many.load.cpu / single.load.cpu, 2)}x CPU (target ≤ 2x). Normalize + load: ${fmt((many.normalize.seconds + many.load.seconds) / (single.normalize.seconds + single.load.seconds), 2)}x.`,
        ].join("\n"),
      };
    });
  } finally {
    child.kill("SIGTERM");
  }
}
