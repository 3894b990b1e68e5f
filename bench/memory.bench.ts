import { join } from "node:path";
import { loadavg } from "node:os";
import { type BenchResult, fmt, mib, runChild, withTempDir } from "./lib.js";
import type { MemoryArgs, MemoryResult } from "./memory.child.js";

/**
 * Memory stays flat: the peak RSS of a whole extract → normalize → load of 1M rows against that
 * of 100k rows (the baseline, measured in the same run), each in a fresh process.
 */
const SMALL_ROWS = Number(process.env.BENCH_MEMORY_SMALL_ROWS ?? 100_000);
const LARGE_ROWS = Number(process.env.BENCH_MEMORY_LARGE_ROWS ?? 1_000_000);
const ROWS_PER_RECORD = 3;

async function measure(rows: number, dir: string): Promise<MemoryResult> {
  const args: MemoryArgs = {
    records: Math.ceil(rows / ROWS_PER_RECORD),
    db: join(dir, `m${String(rows)}.duckdb`),
    pipelines_dir: join(dir, `p${String(rows)}`),
  };
  const r = await runChild(process.execPath, [join(import.meta.dirname, "memory.child.js"), JSON.stringify(args)]);
  return r.value as MemoryResult;
}

export default async function run(): Promise<BenchResult> {
  return withTempDir(async (dir) => {
    const load = loadavg()[0]!;
    const small = await measure(SMALL_ROWS, dir);
    const large = await measure(LARGE_ROWS, dir);
    const line = (label: string, r: MemoryResult) =>
      `| ${label} | ${fmt(r.rows)} | ${fmt(r.seconds.extract, 1)} | ${fmt(r.seconds.normalize, 1)} | ${fmt(r.seconds.load, 1)} | ${mib(r.rss_after_kb.extract)} | ${mib(r.rss_after_kb.normalize)} | ${mib(r.peak_rss_kb)} |`;
    return {
      title: "Memory: peak RSS for 1M rows vs 100k rows (issue 15)",
      markdown: [
        `Invoice-like records (the normalize-load bench's, one root row and two line rows each, merge disposition with decimal hints) through extract, normalize and load into DuckDB, each size in a fresh Node process with the product's defaults (normalize workers, the DuckDB destination's default \`memory_limit\`). Peak RSS is the process's \`getrusage\` maximum (\`process.resourceUsage().maxRSS\`): JavaScript heap, worker threads and DuckDB together. The peak is also read when extract and normalize end, so the step that raised it shows. Load average when the run started: ${fmt(load, 1)} (shared machine: seconds are noisy, memory is not).`,
        "",
        "| run | rows | extract s | normalize s | load s | peak RSS by end of extract | by end of normalize | peak RSS (by end of load) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        line(`baseline: ${fmt(SMALL_ROWS)} rows`, small),
        line(`${fmt(LARGE_ROWS)} rows`, large),
        "",
        `Peak RSS, ${fmt(LARGE_ROWS)} rows / ${fmt(SMALL_ROWS)} rows (the baseline, same run): **${fmt(large.peak_rss_kb / small.peak_rss_kb, 2)}x** for ${fmt(large.rows / small.rows, 1)}x the rows (target ≤ 1.3x).`,
      ].join("\n"),
    };
  });
}
