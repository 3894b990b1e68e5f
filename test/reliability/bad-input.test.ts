import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRejected } from "../../src/package/files.js";
import { RejectedItemsError, type Pipeline } from "../../src/pipeline/index.js";
import { sageAccountingSource } from "../../src/sage/index.js";
import { PipelineError } from "../../src/util/errors.js";
import { type HostileSage, RawJson, startHostileSage } from "../fixtures/hostile-sage.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";
import { type HostileCase, hostileCase, nested, HOSTILE_KEYS, HOSTILE_VALUES } from "./bad-input-arbitraries.js";

const LONG = process.env.SAGE_RELIABILITY === "long";
const SEED = 20261201;
const RUNS = LONG ? 150 : 8;
// Each generated run is a whole pipeline run (~2 s quiet, ~6 s on a loaded 2-core machine).
const GENERATED_TIMEOUT_MS = LONG ? 3_600_000 : 900_000;

const dir = tempDir("sp-bad-input-");
const config = () => emptyConfig({ RUNTIME__REQUEST_BACKOFF_FACTOR: "0", RUNTIME__REQUEST_MAX_ATTEMPTS: "2" });

let api: HostileSage;
let business: string;
beforeAll(async () => {
  api = await startHostileSage(1);
  business = api.businesses[0]!.id;
});
afterAll(() => api.close());

const source = () =>
  sageAccountingSource(
    { baseUrl: api.apiBaseUrl, accessToken: "hostile-token", itemsPerPage: 3, resources: ["contacts"] },
    config(),
  );

async function contactRows(p: Pipeline): Promise<Array<{ id: string; row: string }>> {
  const rows = await p.dataset().sql("select * from contacts order by id").rows();
  return rows.map((r) => ({
    id: r.id as string,
    row: JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
  }));
}

/** Errors nobody caught while a case ran (an unhandled rejection is a crash). */
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

interface Outcome {
  status: "loaded" | "failed";
  message?: string;
}

/**
 * One pipeline per suite: every case is one more run of it over the items of the cases before,
 * so "nothing loaded earlier is lost" is checked against everything every earlier case loaded,
 * and a type that changes from case to case changes across runs too.
 */
class Corpus {
  readonly pipeline = duckPipeline(dir);
  private readonly loaded = new Set<string>();
  readonly outcomes: Outcome[] = [];

  async start(): Promise<void> {
    api.list(business, "contacts").length = 0;
    const baseline = api.seed(business, "contacts", 4);
    await this.pipeline.run(source());
    for (const r of baseline) this.loaded.add(r.id);
    expect((await contactRows(this.pipeline)).map((r) => r.id)).toEqual([...this.loaded].sort());
  }

  async run(c: HostileCase): Promise<Outcome> {
    const added = api.add(business, "contacts", c.items.length);
    added.forEach((r, i) => Object.assign(r, c.items[i]));
    for (const i of c.duplicates) if (added[i] && added[i - 1]) added[i].id = added[i - 1]!.id;

    process.on("unhandledRejection", onUnhandled);
    let outcome: Outcome;
    try {
      await this.pipeline.run(source());
      outcome = { status: "loaded" };
    } catch (err) {
      // A failure is a PipelineError naming the resource, the business and what was wrong.
      expect(err, String(err)).toBeInstanceOf(PipelineError);
      let text = (err as PipelineError).describe();
      // Quarantined items are named one by one where the error points (failed-jobs).
      if (err instanceof RejectedItemsError)
        text += `\n${this.pipeline.workingDir.packages.rejectedItems().map(describeRejected).join("\n")}`;
      expect(text).toContain("contacts");
      expect(text).toContain(business);
      // ...and the page it came from (the request's URL, redacted).
      if (err instanceof RejectedItemsError) expect(text).toMatch(/from http:\/\/127\.0\.0\.1:\d+\/\S*contacts/);
      outcome = { status: "failed", message: text };
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    expect(unhandled).toEqual([]);
    const after = await contactRows(this.pipeline);
    const ids = new Set(after.map((r) => r.id));
    // Nothing loaded earlier is lost.
    for (const id of this.loaded) expect(ids.has(id), `row ${id} of an earlier run`).toBe(true);
    if (outcome.status === "loaded") {
      for (const r of added) {
        expect(ids.has(r.id), `row ${r.id}`).toBe(true);
        this.loaded.add(r.id);
      }
      // A number JavaScript cannot hold is loaded digit for digit (as a decimal or its text variant), never rounded.
      for (const r of added) {
        const row = after.find((a) => a.id === r.id)!.row;
        for (const v of Object.values(r)) {
          if (v instanceof RawJson && /^-?\d{17,}$/.test(v.text) && c.duplicates.length === 0) expect(row).toContain(v.text);
        }
      }
    }
    this.outcomes.push(outcome);
    return outcome;
  }

  summary(): string {
    const failed = this.outcomes.filter((o) => o.status === "failed");
    return `${this.outcomes.length} cases: ${this.outcomes.length - failed.length} loaded, ${failed.length} failed with a named error`;
  }
}

describe("bad-input corpus (fast-check, hostile HTTP server)", () => {
  it(
    `generated hostile items load by the naming and variant rules or fail naming where (seed ${SEED}, ${RUNS} runs)`,
    { timeout: GENERATED_TIMEOUT_MS },
    async () => {
      const corpus = new Corpus();
      await corpus.start();
      await fc.assert(
        fc.asyncProperty(hostileCase, async (c) => {
          await corpus.run(c);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
      console.log(`bad-input corpus, generated (seed ${SEED}): ${corpus.summary()}`);
    },
  );

  it(
    "each named hostile key and value, type flips, case twins, 60 and 70 levels, duplicate ids",
    { timeout: 900_000 },
    async () => {
      // Several named cases per run (one item each), so the list costs a few runs, not one each.
      const items: Array<Record<string, unknown>> = [
        ...HOSTILE_KEYS.map((k) => ({ [k]: "v" })),
        ...HOSTILE_VALUES.map((v) => ({ hostile: v })),
        { flip: 1 },
        { flip: "one" },
        { flip: { one: 1 } },
        { flip: [1] },
        { flip: true },
        { Name: "upper", name: "lower", NAME: "caps" },
        { deep: nested(60) },
        { deep: nested(70) },
        { deep: "flat" },
      ];
      const corpus = new Corpus();
      await corpus.start();
      for (let i = 0; i < items.length; i += 12) await corpus.run({ items: items.slice(i, i + 12), duplicates: [] });
      await corpus.run({ items: [{ a: 1 }, { a: 2 }, { a: 3 }], duplicates: [1, 2] });
      console.log(`bad-input corpus, named (${items.length + 3} items): ${corpus.summary()}`);
      expect(
        corpus.outcomes.every((o) => o.status === "loaded"),
        corpus.outcomes.map((o) => o.message).join("\n"),
      ).toBe(true);
      // The case twins are three columns, none lost; the 10k-character key is a column too.
      const cols = await corpus.pipeline
        .dataset()
        .sql("select column_name from information_schema.columns where table_name = 'contacts'")
        .rows();
      const twins = cols.map((c) => c.column_name as string).filter((n) => /^name(_[a-z0-9]{6})?$/.test(n));
      expect(twins).toHaveLength(3);
      expect(cols.some((c) => (c.column_name as string).startsWith("k".repeat(50)))).toBe(true);
      const caps = await corpus.pipeline
        .dataset()
        .sql(`select id from contacts where ${twins.map((n) => `cast("${n}" as varchar) = 'caps'`).join(" or ")}`)
        .rows();
      expect(caps).toHaveLength(1);
    },
  );

  it(
    "an item without its primary key is quarantined, named by resource, business, page URL and reason; the rest loads",
    { timeout: 300_000 },
    async () => {
      const corpus = new Corpus();
      await corpus.start();
      const out = await corpus.run({ items: [{ id: null }, { ok: 1 }], duplicates: [] });
      expect(out.status).toBe("failed");
      expect(out.message).toContain("no value for primary key column id");
      const [row] = await corpus.pipeline
        .dataset()
        .sql("select page_url from _dlt_rejected order by inserted_at desc limit 1")
        .rows();
      expect(row?.page_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\S*contacts\?/);
      expect(row?.page_url).toContain("page=");
    },
  );
});
