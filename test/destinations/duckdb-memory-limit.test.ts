import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigResolver, EnvProvider } from "../../src/config/index.js";
import { defaultMemoryLimit, destinationFromConfig, duckdb } from "../../src/destinations/duckdb/factory.js";
import { ceilingMb, loadMemoryMb, packageMemoryMb, tablesMb } from "../../src/destinations/duckdb/load-memory.js";
import { Schema } from "../../src/schema/schema.js";
import { resource } from "../../src/extract/index.js";
import { ConfigError, PipelineError, errorMessage } from "../../src/util/errors.js";
import { addLogSink } from "../../src/util/logger.js";
import { duckPipeline } from "../helpers/tmp-pipeline.js";

const dir = mkdtempSync(join(tmpdir(), "duckdb-memory-limit-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function setting(dest: ReturnType<typeof duckdb>): Promise<string> {
  const client = await dest.connect({ pipelineName: "m", datasetName: "data", workingDir: dir });
  try {
    const rows = await client.query("SELECT current_setting('memory_limit') AS v");
    return String(rows[0]!.v);
  } finally {
    await client.close();
  }
}

describe("DuckDB memory_limit", () => {
  it("caps a database file by default, and takes [destination.duckdb] memory_limit", async () => {
    expect(defaultMemoryLimit()).toMatch(/^\d+MB$/);
    const byDefault = await setting(duckdb({ credentials: join(dir, "a.duckdb") }));
    // DuckDB reports the limit in its own units (MiB figures); it is far below its 80%-of-RAM default.
    expect(Number.parseFloat(byDefault)).toBeLessThan(Number.parseInt(defaultMemoryLimit()) + 1);
    const configured = destinationFromConfig(
      new ConfigResolver([
        new EnvProvider({ DESTINATION__DUCKDB__CREDENTIALS: join(dir, "b.duckdb"), DESTINATION__DUCKDB__MEMORY_LIMIT: "1GB" }),
      ]),
    );
    expect(await setting(configured)).toMatch(/^9\d\d\.\d MiB$/);
  });

  it("refuses a value that is not a size, naming the key", () => {
    const config = new ConfigResolver([new EnvProvider({ DESTINATION__DUCKDB__MEMORY_LIMIT: "lots" })]);
    expect(() => destinationFromConfig(config)).toThrow(ConfigError);
    expect(() => destinationFromConfig(config)).toThrow(/memory_limit/);
  });

  it("sizes what read_json's buffers need: one of twice maximum_object_size per thread, and one more", () => {
    expect(loadMemoryMb(0, 1)).toBe(64);
    expect(loadMemoryMb(0, 2)).toBe(96);
    expect(loadMemoryMb(0, 4)).toBe(160);
    // A 17 MB line doubles maximum_object_size to 32 MB: three 64 MB buffers and the line twice.
    expect(loadMemoryMb(17 * 1024 * 1024, 2)).toBe(3 * 64 + 34);
  });

  it("loads a 40 MB line (more than the default limit holds for read_json), then returns to the default", async () => {
    const dest = duckdb({ credentials: join(dir, "wide.duckdb") });
    // Held open so that the load shares its instance and the limit it leaves behind is visible here.
    const observer = await dest.connect({ pipelineName: "wide", datasetName: "data", workingDir: dir });
    try {
      const p = duckPipeline(dir, { pipelineName: "wide", destination: dest });
      const wide = "w".repeat(40 * 1024 * 1024);
      const rows = resource(() => [{ id: 1, body: wide }, ...Array.from({ length: 500 }, (_, i) => ({ id: i + 2, body: "x" }))], {
        name: "notes",
      });
      await p.run(rows);
      const loaded = await observer.query("SELECT max(length(body)) AS n, count(*) AS c FROM data.notes");
      expect(loaded[0]).toEqual({ n: wide.length, c: 501 });
      const limit = await observer.query("SELECT current_setting('memory_limit') AS v");
      expect(Number.parseFloat(String(limit[0]!.v))).toBeLessThan(Number.parseInt(defaultMemoryLimit()) + 1);
    } finally {
      await observer.close();
    }
  });

  it("loads on one thread and checkpoints before the load returns, then gives the instance its threads back", async () => {
    const file = join(dir, "ckpt.duckdb");
    const dest = duckdb({ credentials: file });
    // Held open: the instance stays up, so no checkpoint at close can have written the rows.
    const observer = await dest.connect({ pipelineName: "ckpt", datasetName: "data", workingDir: dir });
    try {
      const before = await observer.query("SELECT current_setting('threads') AS v");
      const p = duckPipeline(dir, { pipelineName: "ckpt", destination: dest });
      await p.run(resource(() => Array.from({ length: 20_000 }, (_, i) => ({ id: i, body: `row ${i}` })), { name: "rows" }));
      const wal = `${file}.wal`;
      expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
      expect(await observer.query("SELECT current_setting('threads') AS v")).toEqual(before);
      expect(await observer.query("SELECT count(*) AS c FROM data.rows")).toEqual([{ c: 20_000 }]);
    } finally {
      await observer.close();
    }
  });

  it("gets its load files in parts of at most 16 MB, which read_json reads in less memory, and loads every row", async () => {
    const p = duckPipeline(dir, { pipelineName: "parts" });
    const body = "b".repeat(1000);
    await p.run(resource(() => Array.from({ length: 20_000 }, (_, i) => ({ id: i, body })), { name: "docs" }));
    const store = p.workingDir.packages;
    const jobs = store.readNormalizedManifest(store.list("loaded")[0]!, "loaded").jobs.filter((j) => j.table === "docs");
    expect(jobs.length).toBe(2); // ~21 MB of rows
    for (const j of jobs) expect(j.bytes).toBeLessThanOrEqual(16 * 1024 * 1024 + (j.maxRowBytes ?? 0) + 1);
    expect(await p.dataset().table("docs").count()).toBe(20_000);
  });
  /**
   * The DuckDB connection under a client, with the load's statements that read load files at a
   * limit below the instance's replaced by one that fails in DuckDB itself, so the transaction
   * aborts for real and every later statement of it fails with "Current transaction is aborted".
   */
  function failReads(dest: ReturnType<typeof duckdb>, failsAt: (mb: number) => boolean): { refused: number; limits: number[] } {
    const seen = { refused: 0, limits: [] as number[] };
    const connect = dest.connect.bind(dest);
    dest.connect = async (o) => {
      const client = await connect(o);
      const conn = (client as unknown as { sized: { conn: { execute(sql: string, params?: unknown[]): Promise<void> } } }).sized
        .conn;
      const execute = conn.execute.bind(conn);
      let limit = Number.parseInt(defaultMemoryLimit());
      conn.execute = async (sql, params) => {
        const set = /^SET memory_limit = '(\d+)MB'$/.exec(sql);
        if (set) limit = Number(set[1]);
        if (sql.includes("read_json(") && failsAt(limit)) {
          seen.refused++;
          seen.limits.push(limit);
          return execute(
            "SELECT error('Out of Memory Error: could not allocate block of size 256.0 KiB (66.0 MiB/66.0 MiB used)')",
          );
        }
        return execute(sql, params);
      };
      return client;
    };
    return seen;
  }

  const invoices = () =>
    resource(() => [{ id: 1, lines: [{ n: 1 }, { n: 2 }] }, { id: 2 }], {
      name: "inv",
      primaryKey: "id",
      writeDisposition: "merge",
    });

  it("loads a package again at the instance's limit when a read at the small limit runs out of memory (the transaction aborted for real)", async () => {
    const dest = duckdb({ credentials: join(dir, "oom.duckdb") });
    const ordinary = Number.parseInt(defaultMemoryLimit());
    const seen = failReads(dest, (mb) => mb < ordinary);
    const observer = await dest.connect({ pipelineName: "oom", datasetName: "data", workingDir: dir });
    const warnings: string[] = [];
    const stop = addLogSink((r) => {
      if (r.level === "warn") warnings.push(r.message);
    });
    try {
      const p = duckPipeline(dir, { pipelineName: "oom", destination: dest });
      const info = await p.run(invoices());
      expect(seen.refused).toBe(1);
      expect(warnings.some((w) => w.includes("ran out of memory") && w.includes(info.loadPackages[0]!.loadId))).toBe(true);
      expect(await p.dataset().table("inv").count()).toBe(2);
      expect(await p.dataset().table("inv__lines").count()).toBe(2);
      expect(await p.dataset().table("_dlt_loads").count()).toBe(1);
      // The small limit the failed read left behind is gone with the load.
      const limit = await observer.query("SELECT current_setting('memory_limit') AS v");
      expect(Number.parseFloat(String(limit[0]!.v))).toBeGreaterThan(ordinary * 0.9);
    } finally {
      stop();
      await observer.close();
    }
  });

  it("fails terminal, naming memory_limit, when a package runs out of memory at every limit a load may take; nothing is loaded", async () => {
    const dest = duckdb({ credentials: join(dir, "oom-all.duckdb") });
    const seen = failReads(dest, () => true);
    const p = duckPipeline(dir, { pipelineName: "oom_all", destination: dest });
    const err = await p.run(invoices()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect((err as PipelineError).kind).toBe("terminal");
    expect(errorMessage(err)).toMatch(/ran out of memory/);
    expect(errorMessage(err)).toMatch(/\[destination\.duckdb\] memory_limit/);
    expect(errorMessage(err)).not.toMatch(/transaction is aborted/);
    // Each attempt at twice the last, up to the ceiling: a few attempts, not one per MB.
    expect(seen.limits.at(-1)).toBeGreaterThanOrEqual(ceilingMb());
    expect(seen.refused).toBeLessThan(12);
    for (let i = 1; i < seen.limits.length; i++) expect(seen.limits[i]).toBeGreaterThan(seen.limits[i - 1]!);
    expect(p.hasPendingPackages()).toBe(true);
  });

  it("sizes the limit by a wide table's columns: 400 columns of 20,000 rows load at once, where 192 MB failed", async () => {
    const dest = duckdb({ credentials: join(dir, "cols.duckdb") });
    const warnings: string[] = [];
    const stop = addLogSink((r) => {
      if (r.level === "warn") warnings.push(r.message);
    });
    try {
      const p = duckPipeline(dir, { pipelineName: "cols", destination: dest });
      await p.run(resource(() => wideRows(400, 20_000), { name: "wide" }));
      expect(await p.dataset().table("wide").count()).toBe(20_000);
      expect(warnings.filter((w) => w.includes("ran out of memory"))).toEqual([]);
    } finally {
      stop();
    }
  });

  it("at a limit the user set, an Out of Memory fails terminal and names the setting, with a size that would do", async () => {
    const dest = duckdb({ credentials: join(dir, "user.duckdb"), memoryLimit: "64MB" });
    const p = duckPipeline(dir, { pipelineName: "user", destination: dest });
    const err = await p.run(resource(() => wideRows(400, 20_000), { name: "wide" })).catch((e: unknown) => e);
    expect((err as PipelineError).kind).toBe("terminal");
    expect(errorMessage(err)).toMatch(/at memory_limit 64MB/);
    expect(errorMessage(err)).toMatch(/memory_limit \(DESTINATION__DUCKDB__MEMORY_LIMIT\) to \d+(MB|GB) or more/);
  });

  it("estimates a package's tables: the widest read in flight plus what each table holds", () => {
    const schema = new Schema("s");
    const table = (name: string, columns: number) =>
      schema.tables.set(name, {
        name,
        columns: Object.fromEntries(
          Array.from({ length: columns }, (_, i) => [`c${i}`, { name: `c${i}`, dataType: "text" as const }]),
        ),
      } as never);
    table("wide", 1465);
    table("narrow", 10);
    const job = (t: string, rows: number) => ({ table: t, file: `${t}.jsonl`, path: `/x/${t}.jsonl`, rows, bytes: 1 });
    // 1,465 columns at 84,000 rows loaded at ~1 GB and failed at 800 MB on one thread.
    expect(tablesMb([job("wide", 84_000)], schema)).toBeGreaterThan(1000);
    // Few rows hold proportionally less; a narrow table next to nothing.
    expect(tablesMb([job("wide", 2_000)], schema)).toBeLessThan(150);
    expect(tablesMb([job("narrow", 1_000_000)], schema)).toBeLessThan(10);
    expect(packageMemoryMb([job("narrow", 1_000_000)], schema)).toBe(64 + tablesMb([job("narrow", 1_000_000)], schema));
  });
});

/** `rows` rows of 30 values each over `columns` keys (a free-form resource). */
function wideRows(columns: number, rows: number): Array<Record<string, unknown>> {
  return Array.from({ length: rows }, (_, i) => {
    const o: Record<string, unknown> = { id: i };
    for (let k = 0; k < 30; k++) o[`c${(i * 7 + k * 13) % columns}`] = `v${i}_${k}`;
    return o;
  });
}
