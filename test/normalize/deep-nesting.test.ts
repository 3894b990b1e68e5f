import { readdirSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { postgres } from "../../src/destinations/postgres/index.js";
import { resource } from "../../src/extract/resource.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { join } from "node:path";
import { PG_URL, dropSchema, probePostgres } from "../destinations/pg-server.js";

const dir = tempDir("sp-deep-");
const unreachable = await probePostgres();

/** An item nested `depth` levels: each level a list of one object with a key and the next level. */
function deep(depth: number, leaf: unknown = "bottom"): Record<string, unknown> {
  let node: Record<string, unknown> = { leaf };
  for (let i = depth; i > 0; i--) node = { [`level_${i}_with_a_longish_name`]: [node], n: i };
  return { id: 1, ...node };
}

function longestFileName(root: string): number {
  let max = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      max = Math.max(max, Buffer.byteLength(e.name));
      if (e.isDirectory()) walk(join(d, e.name));
    }
  };
  walk(root);
  return max;
}

describe("deep nesting", () => {
  it("loads 60 levels into DuckDB with every file name on disk bounded", async () => {
    const p = duckPipeline(dir);
    await p.run(resource(() => [deep(60)], { name: "deep", primaryKey: "id", writeDisposition: "merge" }));
    const schema = p.workingDir.readSchema("test") ?? p.workingDir.readSchema(p.workingDir.schemaNames()[0]!)!;
    const tables = [...schema.tables.values()].filter((t) => !t.name.startsWith("_dlt"));
    expect(tables).toHaveLength(61);
    const deepest = tables.reduce((a, b) => (a.name.length > b.name.length ? a : b));
    const rows = await p.dataset().sql(`select leaf from "${deepest.name}"`).rows();
    expect(rows).toEqual([{ leaf: "bottom" }]);
    expect(longestFileName(p.workingDir.path)).toBeLessThanOrEqual(130);
  });

  it("stops at [normalize] max_table_nesting and keeps the rest as JSON", async () => {
    const p = duckPipeline(dir, { config: emptyConfig({ NORMALIZE__MAX_TABLE_NESTING: "2" }) });
    await p.run(resource(() => [deep(5)], { name: "deep", primaryKey: "id", writeDisposition: "merge" }));
    const names = p.workingDir.schemaNames();
    const schema = p.workingDir.readSchema(names[0]!)!;
    const tables = [...schema.tables.values()].filter((t) => !t.name.startsWith("_dlt")).map((t) => t.name);
    expect(tables).toHaveLength(3);
    const last = tables[2]!;
    const json = Object.values(schema.get(last)!.columns).find((c) => c.dataType === "json");
    expect(json?.name).toBe("level_3_with_a_longish_name");
  });

  const pgSchemas: string[] = [];
  afterAll(async () => {
    for (const s of pgSchemas) await dropSchema(s);
  });
  it.skipIf(unreachable !== undefined)("loads 60 levels into Postgres (names shortened to 63 bytes)", async () => {
    const datasetName = `deep_${Math.random().toString(36).slice(2, 8)}`;
    pgSchemas.push(datasetName);
    const p = new Pipeline({
      pipelineName: "deep_pg",
      datasetName,
      destination: postgres({ credentials: PG_URL }),
      pipelinesDir: join(dir, "pg"),
      config: emptyConfig(),
    });
    await p.run(resource(() => [deep(60)], { name: "deep", primaryKey: "id", writeDisposition: "merge" }));
    const rows = await p
      .dataset()
      .sql(
        `select count(*)::int as n from information_schema.tables where table_schema = '${datasetName}' and table_name not like '_dlt%'`,
      )
      .rows();
    expect(rows).toEqual([{ n: 61 }]);
  });
});
