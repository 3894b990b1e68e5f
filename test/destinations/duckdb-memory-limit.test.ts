import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigResolver, EnvProvider } from "../../src/config/index.js";
import { defaultMemoryLimit, destinationFromConfig, duckdb } from "../../src/destinations/duckdb/factory.js";
import { loadMemoryMb } from "../../src/destinations/duckdb/load-memory.js";
import { resource } from "../../src/extract/index.js";
import { ConfigError } from "../../src/util/errors.js";
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
});
