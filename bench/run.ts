import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchResult } from "./lib.js";

/**
 * Runs every `bench/*.bench.ts` (compiled to build/bench/*.bench.js) and rewrites BENCHMARKS.md.
 * `npm run bench -- normalize` runs only the benchmarks whose file name contains "normalize";
 * then only their sections are replaced. A hand-written `<!-- notes -->…<!-- /notes -->` block
 * (findings drawn from the numbers) is kept as it is, after the header.
 */
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const filter = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.js") && (!filter || f.includes(filter)))
  .sort();

const out = join(repo, "BENCHMARKS.md");
const sections = new Map<string, string>();
let notes = "";
if (existsSync(out)) {
  const text = readFileSync(out, "utf8");
  notes = /<!-- notes -->\n[\s\S]*?<!-- \/notes -->\n\n/.exec(text)?.[0] ?? "";
  for (const m of text.matchAll(/<!-- bench:(\S+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g)) sections.set(m[1]!, m[2]!);
}

for (const f of files) {
  const key = f.replace(/\.bench\.js$/, "");
  process.stderr.write(`running ${key}...\n`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: () => Promise<BenchResult> };
  const r = await mod.default();
  const stamp = `_Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}, Node ${process.version}._`;
  sections.set(key, `## ${r.title}\n\n${r.markdown}\n\n${stamp}\n`);
  process.stderr.write(`${r.markdown}\n\n`);
}

const body = [...sections.entries()].map(([k, v]) => `<!-- bench:${k} -->\n${v}<!-- /bench:${k} -->`).join("\n\n");
writeFileSync(
  out,
  `# Benchmarks\n\nProduced by \`npm run bench\` (each section by its \`bench/<name>.bench.ts\`). Numbers are ratios against a baseline measured in the same run, because the machines are noisy.\n\n${notes}${body}\n`,
);
process.stderr.write(`wrote ${out}\n`);
