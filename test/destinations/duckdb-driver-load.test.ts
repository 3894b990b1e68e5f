import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const DIST = join(import.meta.dirname, "..", "..", "dist");
const dir = mkdtempSync(join(tmpdir(), "duckdb-driver-load-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * In a fresh process running the built code, as a user runs it: importing the destination does
 * not load the driver; the first connection loads it through CommonJS `require`, so none of its
 * files passes through the ES module loader (whose translation of CommonJS files cost ~120 ms
 * of CPU per run, see src/destinations/duckdb/connection.ts); and it answers queries.
 */
describe("the DuckDB driver is loaded lazily, through require", () => {
  it("stays out until the first connection, then loads without the ES module loader", () => {
    const esmLoads = join(dir, "esm-loads.txt");
    const hooks = `import { appendFileSync } from "node:fs";
export async function load(url, context, next) { appendFileSync(${JSON.stringify(esmLoads)}, url + "\\n"); return next(url, context); }`;
    const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
    const script = `
      import { createRequire } from "node:module";
      const cache = createRequire(import.meta.url).cache;
      const driverLoaded = () => Object.keys(cache).some((k) => k.includes("@duckdb/node-api"));
      const { duckdb } = await import(${JSON.stringify(join(DIST, "destinations", "duckdb", "index.js"))});
      const before = driverLoaded();
      const client = await duckdb({ credentials: ":memory:" }).connect({ pipelineName: "p", datasetName: "d", workingDir: "." });
      const rows = await client.query("SELECT 40 + 2 AS answer");
      await client.close();
      process.stdout.write(JSON.stringify({ before, after: driverLoaded(), rows }));
    `;
    const r = spawnSync(
      process.execPath,
      ["--import", `data:text/javascript,${encodeURIComponent(register)}`, "--input-type=module", "-e", script],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ before: false, after: true, rows: [{ answer: 42 }] });
    const viaEsm = readFileSync(esmLoads, "utf8").split("\n").filter(Boolean);
    // The hook saw the destination's own files (it works), and none of the driver's.
    expect(viaEsm.some((u) => u.includes("/dist/destinations/duckdb/connection.js"))).toBe(true);
    expect(viaEsm.filter((u) => u.includes("@duckdb/"))).toEqual([]);
  });
});
