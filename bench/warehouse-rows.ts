import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { ConfigResolver } from "../src/config/index.js";
import type { Destination } from "../src/destinations/destination.js";
import { resource } from "../src/extract/index.js";
import { Pipeline } from "../src/pipeline/index.js";
import { time } from "./lib.js";

/**
 * The rows every warehouse bench loads (issue 10), both ways: through the pipeline's load step, and
 * as one JSONL file for the vendor SDK's bare load. A module of its own rather than in lib.ts,
 * because lib.ts is also imported by the child processes whose peak RSS the memory benches measure.
 */
const PAGE = 10_000;

/**
 * Rows of the untimed load each side runs first on an engine that starts cold: Spark's first
 * statements pay the JIT and the metastore's start-up (seconds each), which would otherwise land on
 * whichever side ran first.
 */
export const WARM_ROWS = 1_000;

/** What one warehouse's bench gives its section: table rows, and a note on reading them. */
export interface WarehouseLines {
  lines: string[];
  note?: string;
}

/** Row `i`: a customer with text, a decimal amount, an integer, a boolean and a UTC timestamp. */
export function flat(i: number) {
  return {
    id: i,
    name: `customer ${i}`,
    email: `c${i}@example.com`,
    amount: `${(i % 100_000) / 100}`,
    quantity: i % 97,
    active: i % 3 === 0,
    created_at: `2024-03-${String((i % 28) + 1).padStart(2, "0")}T10:${String(i % 60).padStart(2, "0")}:00Z`,
  };
}

function customers(rows: number) {
  return resource(
    function* () {
      for (let s = 0; s < rows; s += PAGE) yield Array.from({ length: Math.min(PAGE, rows - s) }, (_, k) => flat(s + k));
    },
    { name: "customers", columns: { amount: { dataType: "decimal" } } },
  );
}

/** Extract and normalize `rows` customers into `dataset`, then time the load step alone (seconds). */
export async function pipelineLoad(dir: string, dataset: string, destination: Destination, rows: number): Promise<number> {
  const p = new Pipeline({
    pipelineName: dataset,
    destination,
    datasetName: dataset,
    pipelinesDir: dir,
    config: new ConfigResolver([]),
  });
  await p.extract(customers(rows));
  await p.normalize();
  return (await time(() => p.load())).seconds;
}

/** The rows as one JSONL file with the columns the pipeline adds, as a bare load sends them. */
export async function bareFile(dir: string, rows: number): Promise<string> {
  const file = join(dir, `bare-${rows}.jsonl`);
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(file);
    out.on("error", reject);
    for (let i = 0; i < rows; i++) out.write(`${JSON.stringify({ ...flat(i), _dlt_load_id: "1.0", _dlt_id: `id${i}` })}\n`);
    out.end(resolve);
  });
  return file;
}
