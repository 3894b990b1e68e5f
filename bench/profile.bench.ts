import { join } from "node:path";
import { loadavg } from "node:os";
import { type BenchResult, fmt, runChild, withTempDir } from "./lib.js";
import type { ProfileArgs, SelfTime, StepProfile } from "./profile.child.js";

/** Where the time of normalize and load into DuckDB goes: a CPU profile of each, by self time. */
const RECORDS = Number(process.env.BENCH_PROFILE_RECORDS ?? 100_000);
const TOP = 12;

const table = (rows: SelfTime[]) => [
  "| self time | share | where |",
  "| ---: | ---: | --- |",
  ...rows.map((r) => `| ${fmt(r.ms)} ms | ${fmt(r.share * 100, 1)}% | \`${r.name.replaceAll("|", "\\|")}\` |`),
];

function step(name: string, s: StepProfile): string[] {
  return [
    `### ${name}: ${fmt(s.seconds, 2)} s wall, ${fmt(s.cpu, 2)} s CPU (all threads), ${fmt(s.sampledMs / 1000, 2)} s sampled on the main thread`,
    "",
    "By file:",
    "",
    ...table(s.files),
    "",
    "By function:",
    "",
    ...table(s.functions),
    "",
  ];
}

export default async function run(): Promise<BenchResult> {
  return withTempDir(async (dir) => {
    const avg = loadavg()[0]!;
    const args: ProfileArgs = { records: RECORDS, db: join(dir, "p.duckdb"), pipelines_dir: join(dir, "p"), top: TOP };
    const r = await runChild(process.execPath, [join(import.meta.dirname, "profile.child.js"), JSON.stringify(args)]);
    const { normalize, load } = r.value as { normalize: StepProfile; load: StepProfile };
    return {
      title: "Where the time goes: CPU profile of normalize and load into DuckDB (issue 15)",
      markdown: [
        `${fmt(RECORDS)} records of the normalize-load bench (${fmt(RECORDS * 3)} rows in 2 tables, merge, decimal hints), extracted first, then normalize and load each under V8's sampling profiler (the one \`node --cpu-prof\` starts, through \`node:inspector\` so that each step has its own profile; 1 ms interval). Normalize runs with one worker so that its work is on the profiled thread. \`(idle)\` and \`(program)\` are the main thread waiting (for DuckDB's own threads, which the JavaScript profiler cannot see, or for I/O) and V8/native work outside JavaScript; \`(garbage collector)\` is V8's GC. Load average when the run started: ${fmt(avg, 1)} (shared machine).`,
        "",
        ...step("normalize", normalize),
        ...step("load", load),
      ].join("\n"),
    };
  });
}
