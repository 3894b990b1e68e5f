import type { KeySetReport, ResourceFn, ResourceHints } from "../../src/extract/resource.js";
import type { Pipeline } from "../../src/pipeline/pipeline.js";
import { LOADS_TABLE, REJECTED_TABLE, STATE_TABLE, VERSION_TABLE } from "../../src/schema/system-tables.js";

/** One generation of the crash test's data: the resource function and what it carries. */
export interface Generation {
  fn: ResourceFn;
  /** The generation has an item normalize quarantines (run() rejects after the commit). */
  quarantines: boolean;
}

export interface WriteCase {
  name: "append" | "replace" | "merge";
  hints: ResourceHints;
  generation(g: number): Generation;
}

type Row = Record<string, unknown>;

/**
 * Rows of generation `g`, with child rows of one and two lines so each root's chain has a child
 * table to keep linked. Generation 2 adds a column `f` (its commit migrates; bqemulator's
 * INFORMATION_SCHEMA does not list added columns, so every later commit issues the idempotent
 * `ADD COLUMN IF NOT EXISTS` again, and a failure there is tried too). A new column per
 * generation would add a write per generation there, and the count of writes to fail in turn
 * would never be reached.
 */
function plainRows(g: number): Row[] {
  return [
    { id: 2 * g - 1, v: `g${g}-a`, ...(g > 1 ? { f: g } : {}), lines: [{ n: `${g}a1` }, { n: `${g}a2` }] },
    { id: 2 * g, v: `g${g}-b`, lines: [{ n: `${g}b1` }] },
  ];
}

const MARKED_AT = "2026-03-04T05:06:07.000Z";

/**
 * Merge with everything a commit can carry: an update of id 1 with a new set of lines, id 2 twice
 * in the package (the first copy superseded in staging), a new id per generation, a hard delete
 * by the `deleted` column, a key set (the source lists ids 1, 2 and the two newest; older ones are
 * marked deleted), and an item without its primary key (quarantined into `_dlt_rejected`). Every
 * generation carries the same parts, so its commit makes the same number of writes.
 */
function mergeGeneration(g: number): Generation {
  const data: Row[] = [
    {
      part: "a",
      id: 1,
      v: `g${g}`,
      ...(g > 1 ? { f: g } : {}),
      lines: Array.from({ length: (g % 3) + 1 }, (_, i) => ({ n: `${g}-1-${i}` })),
    },
    { part: "a", id: 2, v: `g${g}-first`, lines: [{ n: `${g}-2-first` }] },
    { part: "a", id: 2, v: `g${g}-second`, lines: [{ n: `${g}-2-second` }] },
    { part: "a", id: 100 + g, v: `new in ${g}`, lines: [{ n: `${g}-new` }] },
  ];
  if (g > 2) data.push({ part: "a", id: 100 + g - 2, deleted: true });
  data.push({ part: "a", v: `no id in ${g}` });
  const keys = ["1", "2", String(100 + g), ...(g > 1 ? [String(100 + g - 1)] : [])];
  const set: KeySetReport = {
    partition: { part: "a" },
    keyColumn: "id",
    keys,
    total: keys.length,
    mode: "deletions",
    deletion: { hard: false, column: "deleted_at", kind: "timestamp", at: MARKED_AT },
  };
  return {
    quarantines: true,
    *fn(ctx) {
      yield data;
      ctx.reportKeySet(set);
    },
  };
}

function plainGeneration(g: number): Generation {
  return {
    quarantines: false,
    *fn() {
      yield plainRows(g);
    },
  };
}

export const WRITE_CASES: WriteCase[] = [
  { name: "append", hints: { writeDisposition: "append" }, generation: plainGeneration },
  { name: "replace", hints: { writeDisposition: "replace", primaryKey: "id" }, generation: plainGeneration },
  {
    name: "merge",
    hints: {
      writeDisposition: "merge",
      primaryKey: "id",
      columns: { deleted: { dataType: "bool", hardDelete: true }, deleted_at: { dataType: "timestamp" } },
    },
    generation: mergeGeneration,
  },
];

const sortRows = (rows: unknown[]): unknown[] => rows.map((r) => JSON.stringify(r)).sort();

function business(row: Row): Row {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !k.startsWith("_dlt_")));
}

/**
 * Everything a reader of the dataset can see, without what differs between two pipelines that
 * load the same data (load ids, `_dlt_id`s, times): each table's rows by their values, child rows
 * by the values of the root they hang on and their position, and the system tables' rows by what
 * they say about the loads (how many, which versions, which items were quarantined).
 */
export async function datasetSnapshot(p: Pipeline): Promise<Record<string, unknown>> {
  const client = await (
    await p.destination()
  ).connect({ datasetName: p.datasetName, pipelineName: p.pipelineName, workingDir: p.workingDir.path });
  try {
    const tables = await client.tableNames();
    const all = new Map<string, Row[]>();
    for (const t of tables) all.set(t, await client.query(`SELECT * FROM "${t}"`));
    const rootOf = new Map<string, string>();
    for (const [t, rows] of all) {
      if (t.startsWith("_dlt_") || t.includes("__")) continue;
      for (const r of rows) rootOf.set(String(r._dlt_id), JSON.stringify([t, business(r)]));
    }
    const out: Record<string, unknown> = {};
    for (const [t, rows] of all) {
      if (t === LOADS_TABLE) out[t] = sortRows(rows.map((r) => [r.status, r.schema_name, r.schema_version_hash]));
      else if (t === VERSION_TABLE) out[t] = sortRows(rows.map((r) => [r.version, r.schema_name, r.version_hash]));
      else if (t === STATE_TABLE) out[t] = sortRows(rows.map((r) => [r.version, r.pipeline_name]));
      else if (t === REJECTED_TABLE)
        out[t] = sortRows(rows.map((r) => [r.resource, r.table_name, r.item_id, r.item_index, r.reason, r.item]));
      else if (t.includes("__"))
        out[t] = sortRows(rows.map((r) => [rootOf.get(String(r._dlt_root_id)) ?? "orphan", r._dlt_list_idx, business(r)]));
      else out[t] = sortRows(rows.map(business));
    }
    return out;
  } finally {
    await client.close();
  }
}
