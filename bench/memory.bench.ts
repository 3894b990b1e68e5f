import { join } from "node:path";
import { loadavg } from "node:os";
import { type BenchResult, fmt, median, mib, runChild, withTempDir } from "./lib.js";
import type { MemoryArgs, MemoryResult } from "./memory.child.js";

/**
 * Memory stays flat: the peak RSS of a whole extract → normalize → load of 1M rows against that
 * of 100k rows (the baseline, measured in the same run), each in a fresh process. One pair of
 * runs swung 1.34–1.58x here (the DuckDB load's peak varies by tens of MiB between identical
 * runs), so the pairs alternate over several rounds and the median ratio is the figure: nine,
 * because single rounds still spread 1.15–1.44x and medians of five moved 1.18–1.33x between runs
 * minutes apart (12 rounds: 1.25x).
 */
const SMALL_ROWS = Number(process.env.BENCH_MEMORY_SMALL_ROWS ?? 100_000);
const LARGE_ROWS = Number(process.env.BENCH_MEMORY_LARGE_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_MEMORY_ROUNDS ?? 9);
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
  const load = loadavg()[0]!;
  const rounds: Array<{ small: MemoryResult; large: MemoryResult }> = [];
  for (let i = 0; i < ROUNDS; i++) {
    // A fresh folder per round: each run starts from an empty database and pipeline.
    rounds.push(
      await withTempDir(async (dir) => ({ small: await measure(SMALL_ROWS, dir), large: await measure(LARGE_ROWS, dir) })),
    );
  }
  const ratios = rounds.map((r) => r.large.peak_rss_kb / r.small.peak_rss_kb);
  const line = (label: string, r: MemoryResult) =>
    `| ${label} | ${fmt(r.rows)} | ${fmt(r.seconds.extract, 1)} | ${fmt(r.seconds.normalize, 1)} | ${fmt(r.seconds.load, 1)} | ${mib(r.rss_after_kb.extract)} | ${mib(r.rss_after_kb.normalize)} | ${mib(r.peak_rss_kb)} |`;
  const { small, large } = rounds[0]!;
  return {
    title: "Memory: peak RSS for 1M rows vs 100k rows (issue 15)",
    markdown: [
      `Invoice-like records (the normalize-load bench's, one root row and two line rows each, merge disposition with decimal hints) through extract, normalize and load into DuckDB, each size in a fresh Node process with the product's defaults (normalize workers, the DuckDB destination's default \`memory_limit\`). Peak RSS is the process's \`getrusage\` maximum (\`process.resourceUsage().maxRSS\`): JavaScript heap, worker threads and DuckDB together. The peak is also read when extract and normalize end, so the step that raised it shows. ${String(ROUNDS)} rounds, each the baseline then the large run; the table shows round 1, the ratio is the median of the rounds'. Load average when the run started: ${fmt(load, 1)} (shared machine: seconds are noisy; memory less so, but the load's peak still varies between identical runs).`,
      "",
      "| run | rows | extract s | normalize s | load s | peak RSS by end of extract | by end of normalize | peak RSS (by end of load) |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      line(`baseline: ${fmt(SMALL_ROWS)} rows`, small),
      line(`${fmt(LARGE_ROWS)} rows`, large),
      "",
      `Peak RSS per round, ${fmt(LARGE_ROWS)} / ${fmt(SMALL_ROWS)} rows: ${rounds.map((r, i) => `${mib(r.large.peak_rss_kb)} / ${mib(r.small.peak_rss_kb)} = ${fmt(ratios[i]!, 2)}x`).join("; ")}.`,
      "",
      `Peak RSS, ${fmt(LARGE_ROWS)} rows / ${fmt(SMALL_ROWS)} rows (the baseline, same rounds), median of ${String(ROUNDS)}: **${fmt(median(ratios), 2)}x** for ${fmt(large.rows / small.rows, 1)}x the rows (target ≤ 1.3x).`,
    ].join("\n"),
  };
}
