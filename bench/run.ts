import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { rewriteBenchmarks } from "./benchmarks-md.js";
import type { BenchResult } from "./lib.js";

/**
 * Runs every `bench/*.bench.ts` (compiled to build/bench/*.bench.js) and rewrites BENCHMARKS.md.
 * `npm run bench -- normalize` runs only the benchmarks whose file name contains "normalize";
 * then only their sections are replaced. The rewrite (benchmarks-md.ts) changes nothing outside the
 * sections it regenerates, so hand-written notes anywhere in the file survive a run.
 */
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const filter = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.js") && (!filter || f.includes(filter)))
  .sort();

const out = join(repo, "BENCHMARKS.md");
const sections = new Map<string, string>();

for (const f of files) {
  const key = f.replace(/\.bench\.js$/, "");
  process.stderr.write(`running ${key}...\n`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: () => Promise<BenchResult> };
  const r = await mod.default();
  const stamp = `_Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}, Node ${process.version}._`;
  sections.set(key, `## ${r.title}\n\n${r.markdown}\n\n${stamp}\n`);
  process.stderr.write(`${r.markdown}\n\n`);
}

writeFileSync(out, rewriteBenchmarks(existsSync(out) ? readFileSync(out, "utf8") : undefined, sections));
process.stderr.write(`wrote ${out}\n`);
