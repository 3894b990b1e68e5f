import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import type { Destination } from "../../src/destinations/destination.js";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { postgres } from "../../src/destinations/postgres/index.js";
import { incremental, resource } from "../../src/extract/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { PG_URL, dropSchema, probePostgres, withServer } from "../destinations/pg-server.js";
import { captureLogs } from "../helpers/capture-logs.js";
import { emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

// The destination deleted, replaced or dropped behind the pipeline's back: the next run says so
// in one warning naming the destination and what it lacks, and loads from the destination's
// truth (a fresh destination gets everything, never "0 rows" without a word).

const root = tempDir("sp-agree-");

/** Ids 1..upTo, read incrementally on `n` (a run after the first asks only for what is new). */
function nums(upTo: number) {
  return resource(
    function* (ctx) {
      const since = ctx.incremental!.startValue as number;
      const rows = [];
      for (let n = 1; n <= upTo; n++) if (n >= since) rows.push({ id: n, n, sub: [{ k: n }] });
      yield rows;
    },
    { name: "nums", primaryKey: "id", writeDisposition: "merge", incremental: incremental({ cursorPath: "n", initialValue: 1 }) },
  );
}

function make(name: string, destination: Destination, datasetName = "data"): Pipeline {
  return new Pipeline({
    pipelineName: name,
    datasetName,
    destination,
    pipelinesDir: join(root, "pipelines"),
    config: emptyConfig(),
  });
}

async function runCapturing(p: Pipeline, upTo: number) {
  const logs = captureLogs();
  try {
    const info = await p.run(nums(upTo));
    const warnings = logs.records.filter((r) => r.level === "warn").map((r) => r.message);
    return { info, warnings };
  } finally {
    logs.stop();
  }
}

async function count(p: Pipeline, table = "nums"): Promise<number> {
  const rows = await p.dataset().sql(`select count(*) as n from ${table}`).rows();
  return Number(rows[0]!.n);
}

describe("state and destination agree (DuckDB)", () => {
  it("a deleted DuckDB file: one warning naming it, then a full load", async () => {
    const file = join(root, "deleted.duckdb");
    const first = await runCapturing(make("deleted", duckdb({ credentials: file })), 20);
    expect(first.info.rowCounts.nums).toBe(20);
    expect(first.warnings).toEqual([]);

    rmSync(file);
    rmSync(`${file}.wal`, { force: true });
    const p = make("deleted", duckdb({ credentials: file }));
    const again = await runCapturing(p, 20);
    expect(again.warnings).toHaveLength(1);
    expect(again.warnings[0]).toContain(`destination duckdb:${file}`);
    expect(again.warnings[0]).toContain("has no dataset data");
    expect(again.warnings[0]).toContain("loads everything again");
    expect(again.info.rowCounts.nums).toBe(20);
    expect(await count(p)).toBe(20);
    expect(await count(p, "nums__sub")).toBe(20);
    expect((p.lastTrace as { warnings?: string[] }).warnings).toEqual(again.warnings);

    // Agreed again: the next run is incremental and quiet.
    const third = await runCapturing(make("deleted", duckdb({ credentials: file })), 25);
    expect(third.warnings).toEqual([]);
    expect(await count(p)).toBe(25);
  });

  it("the pipeline pointed at a new database: a full load into it", async () => {
    const a = join(root, "a.duckdb");
    const b = join(root, "b.duckdb");
    await runCapturing(make("moved", duckdb({ credentials: a })), 12);
    const p = make("moved", duckdb({ credentials: b }));
    const moved = await runCapturing(p, 12);
    expect(moved.warnings).toHaveLength(1);
    expect(moved.warnings[0]).toContain(`destination duckdb:${b}`);
    expect(await count(p)).toBe(12);
  });

  it("a dropped dataset: a full load", async () => {
    const file = join(root, "dropped.duckdb");
    const p = make("dropped", duckdb({ credentials: file }));
    await runCapturing(p, 8);
    const client = await duckdb({ credentials: file }).connect({
      datasetName: "data",
      pipelineName: "dropped",
      workingDir: root,
    });
    await client.query("drop schema data cascade");
    await client.close();
    const again = await runCapturing(make("dropped", duckdb({ credentials: file })), 8);
    expect(again.warnings).toHaveLength(1);
    expect(again.warnings[0]).toContain("has no dataset data");
    expect(await count(p)).toBe(8);
  });

  it("a database restored from an older copy: continues from the state it holds", async () => {
    const file = join(root, "restored.duckdb");
    const backup = join(root, "restored-backup.duckdb");
    await runCapturing(make("restored", duckdb({ credentials: file })), 10);
    copyFileSync(file, backup);
    await runCapturing(make("restored", duckdb({ credentials: file })), 15);
    copyFileSync(backup, file);
    rmSync(`${file}.wal`, { force: true });
    const p = make("restored", duckdb({ credentials: file }));
    const again = await runCapturing(p, 15);
    expect(again.warnings).toHaveLength(1);
    expect(again.warnings[0]).toContain("continuing from the destination's state of restored (version 1");
    // Rows 11..15 again (the restored cursor is 10), and nothing is missing.
    expect(again.info.rowCounts.nums).toBe(5);
    expect(await count(p)).toBe(15);
  });

  it("pending packages built on a state the destination lacks are dropped", async () => {
    const file = join(root, "pending.duckdb");
    const p = make("pending", duckdb({ credentials: file }));
    await runCapturing(p, 5);
    await p.extract(nums(7)); // extracted, not loaded: it carries a cursor past the first load
    rmSync(file);
    const q = make("pending", duckdb({ credentials: file }));
    const again = await runCapturing(q, 7);
    expect(again.warnings[0]).toContain("1 pending package(s) built on it dropped");
    expect(again.info.loadPackages).toHaveLength(1);
    expect(await count(q)).toBe(7);
  });
});

const unreachable = await probePostgres();

describe.skipIf(unreachable !== undefined)(
  `state and destination agree (Postgres)${unreachable ? ` (skipped: ${unreachable})` : ""}`,
  () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const schemas: string[] = [];
    const databases: string[] = [];
    afterAll(async () => {
      for (const s of schemas) await dropSchema(s);
      for (const d of databases) await withServer((c) => c.query(`DROP DATABASE IF EXISTS ${d}`));
    });

    it("a dropped dataset (schema): one warning naming the server, then a full load", async () => {
      const dataset = `agree_${suffix}`;
      schemas.push(dataset);
      const p = make(`pg_dropped_${suffix}`, postgres({ credentials: PG_URL }), dataset);
      await runCapturing(p, 9);
      await dropSchema(dataset);
      const again = await runCapturing(make(`pg_dropped_${suffix}`, postgres({ credentials: PG_URL }), dataset), 9);
      expect(again.warnings).toHaveLength(1);
      expect(again.warnings[0]).toContain(`destination postgresql://`);
      expect(again.warnings[0]).toContain(`has no dataset ${dataset}`);
      expect(await count(p)).toBe(9);
    });

    it("a new database: a full load into it", async () => {
      const dataset = `agree_db_${suffix}`;
      const db = `sp_agree_${suffix}`;
      databases.push(db);
      schemas.push(dataset);
      await withServer((c) => c.query(`CREATE DATABASE ${db}`));
      const other = new URL(PG_URL);
      other.pathname = `/${db}`;
      await runCapturing(make(`pg_moved_${suffix}`, postgres({ credentials: PG_URL }), dataset), 6);
      const p = make(`pg_moved_${suffix}`, postgres({ credentials: other.toString() }), dataset);
      const moved = await runCapturing(p, 6);
      expect(moved.warnings).toHaveLength(1);
      expect(moved.warnings[0]).toContain(`/${db}`);
      expect(await count(p)).toBe(6);
      // Connections to the extra database must be gone before it can be dropped.
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [db]);
      await admin.end();
    });
  },
);
