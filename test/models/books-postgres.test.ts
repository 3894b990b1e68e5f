import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DestinationClient } from "../../src/destinations/index.js";
import { postgres } from "../../src/destinations/postgres/index.js";
import type { Pipeline } from "../../src/pipeline/index.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { PG_URL, dropSchema, probePostgres } from "../destinations/pg-server.js";
import { tempDir } from "../helpers/tmp-pipeline.js";
import { expectBooksMatchSandbox } from "./books.js";
import { loadSandbox, startBooksSandbox } from "./sandbox-books.js";

const dir = tempDir("sp-books-pg-");
let sb: Sandbox;
let p: Pipeline;
let serverMissing: string | undefined;
let client: DestinationClient;
let dataset = "";

beforeAll(async () => {
  serverMissing = await probePostgres();
  // The server when it is there, else PGlite (the same dialect, in this process), as the destination tests do.
  if (serverMissing) process.stderr.write(`books-postgres: ${serverMissing}; using PGlite\n`);
  const destination = serverMissing
    ? postgres({ credentials: `pglite://memory:books-${randomBytes(3).toString("hex")}` })
    : postgres({ credentials: PG_URL });
  sb = await startBooksSandbox();
  // A dataset of its own: other runs of this suite may share the server.
  const name = `books_pg_${randomBytes(3).toString("hex")}`;
  dataset = name;
  p = await loadSandbox(sb, dir, destination, name, dataset);
  client = await destination.connect({ datasetName: dataset, pipelineName: name, workingDir: dir });
}, 180_000);
afterAll(async () => {
  await client.close();
  await sb.close();
  if (!serverMissing) await dropSchema(dataset);
});

describe(`accounting models on Postgres`, () => {
  it("build every model, pass the data tests, and match the books computed from the sandbox's records", async () => {
    const info = await p.runModels();
    expect(info.passed, String(info)).toBe(true);
    expect(info.tests).toHaveLength(5);
    expect(info.asOfDate).toBe(sb.now().slice(0, 10));
    await expectBooksMatchSandbox(client, sb, info.asOfDate);
    const again = await p.runModels();
    expect(again.models.find((m) => m.name === "sage__general_ledger")?.mode).toBe("incremental");
    const types = await client.query(
      `SELECT data_type, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema = '${dataset}' AND table_name = 'sage__trial_balance' AND column_name = 'closing_balance'`,
    );
    expect(types).toEqual([{ data_type: "numeric", numeric_precision: 38, numeric_scale: 9 }]);
  });
});
