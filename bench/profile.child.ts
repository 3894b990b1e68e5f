/**
 * The CPU profile behind bench/profile.bench.ts: the normalize-load bench's records extracted,
 * then normalize and load each under V8's sampling profiler (the one `node --cpu-prof` starts;
 * started through node:inspector here so that each step gets a profile of its own). Normalize
 * runs with one worker, i.e. on the main thread, so that the profile sees it. Prints one JSON
 * line: each step's top self-time functions and files.
 */
import { Session } from "node:inspector/promises";
import { ConfigResolver, EnvProvider } from "../src/config/index.js";
import { duckdb } from "../src/destinations/duckdb/index.js";
import { resource } from "../src/extract/index.js";
import { Pipeline } from "../src/pipeline/index.js";
import { time } from "./lib.js";
import { MONEY, invoice } from "./normalize-load.bench.js";

export interface ProfileArgs {
  records: number;
  db: string;
  pipelines_dir: string;
  top: number;
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

export interface StepProfile {
  seconds: number;
  cpu: number;
  sampledMs: number;
  functions: SelfTime[];
  files: SelfTime[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const repoRoot = new URL("../../", import.meta.url).href;

/** A profile's self time by function and by file, biggest first. */
function summarise(p: CpuProfile, top: number): Pick<StepProfile, "sampledMs" | "functions" | "files"> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let all = 0;
  p.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const us = p.timeDeltas[i] ?? 0;
    all += us;
    const where = f.url.startsWith(repoRoot) ? f.url.slice(repoRoot.length) : f.url.replace(/^.*\/node_modules\//, "");
    const fnKey = f.url ? `${f.functionName || "(anonymous)"} (${where}:${String(f.lineNumber + 1)})` : f.functionName;
    fn.set(fnKey, (fn.get(fnKey) ?? 0) + us);
    const fileKey = f.url ? where : f.functionName;
    file.set(fileKey, (file.get(fileKey) ?? 0) + us);
  });
  const ranked = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / all }));
  return { sampledMs: all / 1000, functions: ranked(fn), files: ranked(file) };
}

const a = JSON.parse(process.argv[2] ?? "{}") as ProfileArgs;
const p = new Pipeline({
  pipelineName: "profile",
  datasetName: "data",
  destination: duckdb({ credentials: a.db }),
  pipelinesDir: a.pipelines_dir,
  config: new ConfigResolver([new EnvProvider({ NORMALIZE__WORKERS: "1" })]),
});
await p.extract(
  resource(
    function* () {
      for (let i = 0; i < a.records; i += 1000) {
        const page = [];
        for (let j = i; j < Math.min(a.records, i + 1000); j++) page.push(invoice(j));
        yield page;
      }
    },
    { name: "sales_invoices", primaryKey: "id", writeDisposition: "merge", columns: MONEY },
  ),
);
const session = new Session();
session.connect();
// The load step imports DuckDB's native module on first use: once per process, not per row.
await import("@duckdb/node-api");
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 1000 });

async function profiled(fn: () => Promise<unknown>): Promise<StepProfile> {
  await session.post("Profiler.start");
  const c0 = process.cpuUsage();
  const { seconds } = await time(fn);
  const c = process.cpuUsage(c0);
  const { profile } = (await session.post("Profiler.stop")) as { profile: CpuProfile };
  return { seconds, cpu: (c.user + c.system) / 1e6, ...summarise(profile, a.top) };
}

const normalize = await profiled(() => p.normalize());
const load = await profiled(() => p.load());
session.disconnect();
process.stdout.write(`${JSON.stringify({ normalize, load })}\n`);
