/**
 * One measured load for bench/memory.bench.ts, alone in its process so that its peak RSS is its
 * own: `records` invoice-like records (one root row and two line rows each) extracted,
 * normalized and loaded into DuckDB. Prints one JSON line.
 */
import { ConfigResolver, EnvProvider } from "../src/config/index.js";
import { duckdb } from "../src/destinations/duckdb/index.js";
import { resource } from "../src/extract/index.js";
import { Pipeline } from "../src/pipeline/index.js";
import { time } from "./lib.js";
import { MONEY, invoice } from "./normalize-load.bench.js";

export interface MemoryArgs {
  records: number;
  db: string;
  pipelines_dir: string;
}

export interface MemoryResult {
  rows: number;
  seconds: { extract: number; normalize: number; load: number };
  /** getrusage's maximum once each step ended: the step whose figure jumps is the one that grew. */
  rss_after_kb: { extract: number; normalize: number; load: number };
  peak_rss_kb: number;
}

const a = JSON.parse(process.argv[2] ?? "{}") as MemoryArgs;
const p = new Pipeline({
  pipelineName: "memory",
  datasetName: "data",
  destination: duckdb({ credentials: a.db }),
  pipelinesDir: a.pipelines_dir,
  config: new ConfigResolver([new EnvProvider({})]),
});
const src = resource(
  function* () {
    for (let i = 0; i < a.records; i += 1000) {
      const page = [];
      for (let j = i; j < Math.min(a.records, i + 1000); j++) page.push(invoice(j));
      yield page;
    }
  },
  { name: "sales_invoices", primaryKey: "id", writeDisposition: "merge", columns: MONEY },
);
const maxRss = () => process.resourceUsage().maxRSS;
const extract = await time(() => p.extract(src));
const afterExtract = maxRss();
const normalize = await time(() => p.normalize());
const afterNormalize = maxRss();
const load = await time(() => p.load());
const result: MemoryResult = {
  rows: Object.values(load.value.rowCounts).reduce((x, y) => x + y, 0),
  seconds: { extract: extract.seconds, normalize: normalize.seconds, load: load.seconds },
  rss_after_kb: { extract: afterExtract, normalize: afterNormalize, load: maxRss() },
  // getrusage's ru_maxrss, in kilobytes: the whole process (JS heap, normalize workers, DuckDB).
  peak_rss_kb: process.resourceUsage().maxRSS,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
