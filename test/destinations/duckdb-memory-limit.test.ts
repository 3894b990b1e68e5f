import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigResolver, EnvProvider } from "../../src/config/index.js";
import { defaultMemoryLimit, destinationFromConfig, duckdb } from "../../src/destinations/duckdb/factory.js";
import { loadMemoryMb } from "../../src/destinations/duckdb/load-memory.js";
import { resource } from "../../src/extract/index.js";
import { ConfigError } from "../../src/util/errors.js";
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
  it("loads a package again at the instance's limit when a read at the small limit runs out of memory", async () => {
    const dest = duckdb({ credentials: join(dir, "oom.duckdb") });
    // Every statement that reads load files at a lowered limit fails as DuckDB does when its
    // buffers do not fit: the package must still load, whole and once.
    let refused = 0;
    const connect = dest.connect.bind(dest);
    dest.connect = async (o) => {
      const client = await connect(o);
      const conn = (client as unknown as { sized: { conn: { execute(sql: string, params?: unknown[]): Promise<void> } } }).sized
        .conn;
      const execute = conn.execute.bind(conn);
      let lowered = false;
      conn.execute = async (sql, params) => {
        const set = /^SET memory_limit = '(\d+)MB'$/.exec(sql);
        if (set) lowered = Number(set[1]) < Number.parseInt(defaultMemoryLimit());
        if (lowered && sql.includes("read_json(")) {
          refused++;
          throw new Error("Out of Memory Error: could not allocate block of size 256.0 KiB (66.0 MiB/66.0 MiB used)");
        }
        return execute(sql, params);
      };
      return client;
    };
    const warnings: string[] = [];
    const stop = addLogSink((r) => {
      if (r.level === "warn") warnings.push(r.message);
    });
    try {
      const p = duckPipeline(dir, { pipelineName: "oom", destination: dest });
      const info = await p.run(
        resource(() => [{ id: 1, lines: [{ n: 1 }, { n: 2 }] }, { id: 2 }], {
          name: "inv",
          primaryKey: "id",
          writeDisposition: "merge",
        }),
      );
      expect(refused).toBe(1);
      expect(warnings.some((w) => w.includes("ran out of memory") && w.includes(info.loadPackages[0]!.loadId))).toBe(true);
      expect(await p.dataset().table("inv").count()).toBe(2);
      expect(await p.dataset().table("inv__lines").count()).toBe(2);
      expect(await p.dataset().table("_dlt_loads").count()).toBe(1);
    } finally {
      stop();
    }
  });
});
