import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgres } from "../../src/destinations/postgres/index.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { packageFile } from "../../src/package/index.js";
import { restApiSource, type RESTAPIConfig } from "../../src/rest/index.js";
import { ExactNumber, parseJsonExact } from "../../src/util/lossless-json.js";
import { addLogSink, type LogRecord } from "../../src/util/logger.js";
import { PG_URL, dropSchema, probePostgres } from "../destinations/pg-server.js";
import { FixtureServer } from "../fixtures/http-server.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";
import { EMPTY_RESOLVER, FAST_RETRY } from "../rest/helpers.js";

const dir = tempDir("sp-exact-");
const unreachable = await probePostgres();
let server: FixtureServer;

// Written as text: a JSON encoder in JavaScript could not produce these numbers.
const BODY =
  '{"contacts": [' +
  '{"id": 1, "business_id": "b1", "credit_limit": 9007199254740993, "balance": 12345678901234567890.123456789, "ref": 123456789012345678901234567890123, "rate": 0.1},' +
  '{"id": 2, "business_id": "b1", "credit_limit": 1e40, "balance": 1.5, "ref": 7, "rate": 0.25}' +
  '], "next": null}';

beforeAll(async () => {
  server = await FixtureServer.start();
  server.route("GET", "/contacts", () => ({ headers: { "content-type": "application/json" }, body: BODY }));
});
const pgSchemas: string[] = [];
afterAll(async () => {
  await server.close();
  for (const s of pgSchemas) await dropSchema(s);
});

function source() {
  const config: RESTAPIConfig = {
    client: { baseUrl: server.url },
    resources: [
      {
        name: "contacts",
        primaryKey: "id",
        writeDisposition: "merge",
        columns: { credit_limit: { dataType: "decimal" }, balance: { dataType: "decimal" } },
        endpoint: { path: "contacts", dataSelector: "contacts" },
      },
    ],
  };
  return restApiSource(config, { resolver: EMPTY_RESOLVER, retry: FAST_RETRY });
}

const EXPECTED = [
  { id: 1, credit_limit: "9007199254740993.000000000", balance: "12345678901234567890.123456789", rate: 0.1 },
  { id: 2, credit_limit: null, balance: "1.500000000", rate: 0.25 },
];

describe("numbers a double cannot hold", () => {
  it("parse exactly, and only long literals take the slow path", () => {
    const v = parseJsonExact('{"a": 9007199254740993, "b": 0.1, "c": [1e400]}') as { a: ExactNumber; b: number; c: unknown[] };
    expect(v.a).toBeInstanceOf(ExactNumber);
    expect(v.a.text).toBe("9007199254740993");
    expect(v.b).toBe(0.1);
    expect((v.c[0] as ExactNumber).text).toBe("1e400");
    expect(parseJsonExact('{"a": 12}')).toEqual({ a: 12 });
    // 17 significant digits around a point: no 16 digits in a row, still more than a double holds.
    const m = parseJsonExact('{"m": 12345678.123456789}') as { m: ExactNumber };
    expect(m.m).toBeInstanceOf(ExactNumber);
    expect(String(m.m)).toBe("12345678.123456789");
    expect(() => parseJsonExact('{"a": 90071992547409931234,')).toThrow(SyntaxError);
  });

  it("reach the raw files with their exact text", async () => {
    const p = duckPipeline(dir, { pipelineName: "exact_raw" });
    await p.extract(source());
    const store = p.workingDir.packages;
    const id = store.list("extracted")[0]!;
    const manifest = store.readExtractedManifest(id);
    const raw = readFileSync(packageFile(store.extracted(id), manifest.files[0]!.file), "utf8");
    expect(raw).toContain("9007199254740993");
    expect(raw).toContain("12345678901234567890.123456789");
    expect(raw).toContain("123456789012345678901234567890123");
  });

  it("land exactly in DuckDB's DECIMAL(38,9), and a value that does not fit is a warning naming resource, business, id and column", async () => {
    const logs: LogRecord[] = [];
    const remove = addLogSink((r) => logs.push(r));
    const p = duckPipeline(dir, { pipelineName: "exact_duck" });
    try {
      await p.run(source());
    } finally {
      remove();
    }
    const rows = await p
      .dataset()
      .sql("select id, credit_limit::varchar as credit_limit, balance::varchar as balance, rate from contacts order by id")
      .rows();
    expect(rows).toEqual(EXPECTED);
    // 33 digits fit no DECIMAL(38,9): an unhinted column of them is text, exact.
    const variant = await p.dataset().sql("select credit_limit__v_text as v, ref from contacts order by id").rows();
    expect(variant).toEqual([
      { v: null, ref: "123456789012345678901234567890123" },
      { v: "1e40", ref: "7" },
    ]);
    const warning = logs.find((l) => l.level === "warn" && l.message.includes("DECIMAL(38,9)"));
    expect(warning?.message).toContain("contacts.credit_limit: 1 number(s) do not fit DECIMAL(38,9)");
    expect(warning?.message).toContain("resource contacts, business b1, id 2: 1e40");
  });

  it.skipIf(unreachable !== undefined)("land exactly in Postgres' numeric(38,9)", async () => {
    const datasetName = `exact_${Math.random().toString(36).slice(2, 8)}`;
    pgSchemas.push(datasetName);
    const p = new Pipeline({
      pipelineName: "exact_pg",
      datasetName,
      destination: postgres({ credentials: PG_URL }),
      pipelinesDir: join(dir, "pg"),
      config: emptyConfig(),
    });
    await p.run(source());
    const rows = await p
      .dataset()
      .sql("select id::int as id, credit_limit::text as credit_limit, balance::text as balance, rate from contacts order by id")
      .rows();
    expect(rows).toEqual(EXPECTED);
  });
});
