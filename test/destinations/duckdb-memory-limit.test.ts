import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigResolver, EnvProvider } from "../../src/config/index.js";
import { defaultMemoryLimit, destinationFromConfig, duckdb } from "../../src/destinations/duckdb/factory.js";
import { ConfigError } from "../../src/util/errors.js";

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
});
