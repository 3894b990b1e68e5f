import { existsSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { startDashboard } from "../../src/dashboard/index.js";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { postgres } from "../../src/destinations/postgres/index.js";
import { redshift } from "../../src/destinations/redshift/index.js";
import { resource } from "../../src/extract/index.js";
import { withQuerySession } from "../../src/pipeline/query-session.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

// DuckDB names a database opened from `sage.duckdb` "sage"; a schema "sage" in it then made every
// `sage.table` an "Ambiguous reference to catalog or schema", and loads and queries failed. DuckDB
// compares the names without case, so `Sage.duckdb` collided too.

const root = tempDir("sp-duckdb-clash-");

const invoices = (rows: unknown[], hints: Record<string, unknown>) =>
  resource(
    function* () {
      yield rows;
    },
    { name: "invoices", ...hints },
  );

/** Each row of `sql` in a plain DuckDB of the file, as a user's own tools would open it. */
async function inFile(file: string, sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowsJson();
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe.each([
  ["the dataset", "sage"],
  ["the dataset in other case", "Sage"],
])("a DuckDB file named like %s", (_, stem) => {
  const dir = join(root, stem);
  const file = join(dir, `${stem}.duckdb`);
  const make = () => duckPipeline(dir, { pipelineName: "sage", datasetName: "sage", destination: duckdb({ credentials: file }) });

  it("loads with append, merge and replace, and the dataset API reads it", async () => {
    const p = make();
    await p.run(invoices([{ id: 1, status: "draft", lines: [{ sku: "A" }] }], { writeDisposition: "append" }));
    const merge = { writeDisposition: "merge", primaryKey: "id" };
    await p.run(
      invoices(
        [
          { id: 1, status: "sent", lines: [{ sku: "B" }] },
          { id: 2, status: "draft" },
        ],
        merge,
      ),
    );
    await p.run(invoices([{ id: 2, status: "paid" }], merge));
    await p.run(resource(() => [{ code: "GBP" }, { code: "ZAR" }], { name: "currencies", writeDisposition: "replace" }));
    await p.run(resource(() => [{ code: "EUR" }], { name: "currencies", writeDisposition: "replace" }));

    const ds = p.dataset();
    expect(await ds.sql("select id, status from sage.invoices order by id").rows()).toEqual([
      { id: 1, status: "sent" },
      { id: 2, status: "paid" },
    ]);
    expect(await ds.sql("select sku from invoices__lines").rows()).toEqual([{ sku: "B" }]);
    expect(await ds.table("currencies").select("code").rows()).toEqual([{ code: "EUR" }]);
    expect(await ds.sql("select count(*) as n from sage._dlt_loads where status = 0").fetchScalar()).toBe(5);
    // Spills go beside the file, where DuckDB puts them for a file it opens itself.
    expect(await ds.sql("select current_setting('temp_directory') as t").fetchScalar()).toBe(`${file}.tmp`);

    // The rows are in the file, under the names a user's own DuckDB sees.
    expect(await inFile(file, `select id::integer, status from "${stem}".sage.invoices order by id`)).toEqual([
      [1, "sent"],
      [2, "paid"],
    ]);
  });

  it("answers the read-only query session (dashboard, MCP) and leaves it no writable database", async () => {
    const p = make();
    await p.run(invoices([{ id: 3, status: "draft" }], { writeDisposition: "merge", primaryKey: "id" }));
    await withQuerySession(p, emptyConfig(), async (s) => {
      expect((await s.query("select id from sage.invoices order by id")).rows).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
      expect((await s.query("select count(*) as n from invoices")).rows).toEqual([{ n: 3 }]);
      expect(await s.tableNames()).toEqual(expect.arrayContaining(["invoices", "invoices__lines", "_dlt_loads"]));
      const refused: Array<[string, RegExp]> = [
        ["attach ':memory:' as scratch", /in-memory database in read-only mode/],
        ["attach '' as scratch", /in-memory database in read-only mode/],
        [`attach '${join(dir, "other.duckdb")}' as other`, /disabled by configuration/],
        ["create table sage.x (a int)", /read-only mode/],
        ["insert into invoices (id) values (9)", /read-only mode/],
        ["set access_mode = 'READ_WRITE'", /configuration has been locked/],
        ["set enable_external_access = true", /configuration has been locked/],
        ["use system", /internal schema/],
      ];
      for (const [sql, why] of refused) await expect(s.query(sql), sql).rejects.toThrow(why);
      // The file's own catalog cannot be detached (it is the default), so nothing else can be used.
      const databases = await s.query("select database_name, readonly from duckdb_databases() where not internal");
      expect(databases.rows).toHaveLength(1);
      expect(databases.rows[0]!.readonly).toBe(true);
      await expect(s.query(`detach "${String(databases.rows[0]!.database_name)}"`)).rejects.toThrow(/default database/);
      expect((await s.query("select count(*) as n from sage.invoices")).rows).toEqual([{ n: 3 }]);
    });
  });

  it("answers the dashboard's row counts and queries over HTTP", async () => {
    const config = emptyConfig({ DESTINATION__DUCKDB__CREDENTIALS: file });
    const dash = await startDashboard({ pipelinesDir: join(dir, "pipelines"), config, port: 0 });
    try {
      const data = (await (await fetch(`${dash.url}/api/pipelines/sage/data`)).json()) as { rowCounts: Record<string, number> };
      expect(data.rowCounts).toMatchObject({ invoices: 3, currencies: 1 });
      const q = await fetch(`${dash.url}/api/pipelines/sage/query`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          sql: "select i.id, l.sku from sage.invoices i join sage.invoices__lines l on l._dlt_parent_id = i._dlt_id",
        }),
      });
      expect(await q.json()).toEqual({ columns: ["id", "sku"], rows: [[1, "B"]], truncated: false });
    } finally {
      await dash.close();
    }
  });
});

describe("an in-memory DuckDB", () => {
  it("takes a dataset named memory, the name DuckDB gives an in-memory database", async () => {
    const client = await duckdb({ credentials: ":memory:" }).connect({
      pipelineName: "mem",
      datasetName: "memory",
      workingDir: root,
    });
    try {
      await client.query("CREATE TABLE memory.t AS SELECT 1 AS a");
      expect(await client.query("SELECT a FROM memory.t")).toEqual([{ a: 1 }]);
    } finally {
      await client.close();
    }
  });
});

describe("a dataset named like a schema the engine keeps for itself", () => {
  // DuckDB: `system` and `temp` are catalogs of every instance ("Ambiguous reference" on every
  // load), `information_schema` and `pg_catalog` take no tables ("Cannot create entry in system catalog").
  it.each(["system", "Temp", "information_schema", "pg_catalog"])(
    "DuckDB refuses %s before it opens the file, naming the fix",
    async (name) => {
      const dir = join(root, `reserved-${name}`);
      const file = join(dir, "x.duckdb");
      const p = duckPipeline(dir, { pipelineName: "reserved", datasetName: name, destination: duckdb({ credentials: file }) });
      const run = p.run(resource(() => [{ id: 1 }], { name: "t" }));
      await expect(run).rejects.toThrow(new RegExp(`dataset name "${name}" is one DuckDB keeps for itself`));
      await expect(run).rejects.toMatchObject({ hint: expect.stringMatching(/dataset_name/) });
      expect(existsSync(file)).toBe(false);
    },
  );

  it("DuckDB takes main, Postgres' prefix and names that only contain a reserved word", async () => {
    for (const name of ["main", "pg_data", "system_data", "temporary"]) {
      const dir = join(root, `free-${name}`);
      const p = duckPipeline(dir, {
        pipelineName: "free",
        datasetName: name,
        destination: duckdb({ credentials: join(dir, "x.duckdb") }),
      });
      await p.run(resource(() => [{ id: 1 }], { name: "t" }));
      expect(await p.dataset().table("t").count()).toBe(1);
    }
  });

  it("Postgres and Redshift refuse information_schema, pg_catalog and the pg_ prefix (checked before connecting)", async () => {
    for (const [engine, make] of [
      ["Postgres", () => postgres({ credentials: "postgresql://nobody@127.0.0.1:1/none" })],
      ["Redshift", () => redshift({ credentials: "redshift://nobody@127.0.0.1:1/none" })],
    ] as const) {
      for (const name of ["information_schema", "pg_catalog", "pg_data"]) {
        await expect(make().connect({ pipelineName: "x", datasetName: name, workingDir: root })).rejects.toThrow(
          new RegExp(`dataset name "${name}" is one ${engine} keeps for itself`),
        );
      }
    }
  });
});
