/**
 * Two builds of normalize, same packages, same load files: the check behind changes to the
 * normalizer's hot path (BENCHMARKS.md notes). Not a bench section; run it by hand after
 * `tsc -p tsconfig.bench.json`, with each build's `dist/` (`npx tsc -p tsconfig.build.json`):
 *
 *   node build/bench/normalize-equal.js make <dir> [odd|sage|bench]   packages: odd values, Sage sandbox, bench invoices
 *   node build/bench/normalize-equal.js run <dist> <dir> <out> [workers] [format] [maxLength]
 *   node build/bench/normalize-equal.js diff <outA> <outB>            exit 1 when they differ
 *   node build/bench/normalize-equal.js time <distA> <distB> <package> <runs> [workers]
 *
 * `_dlt_id`s are random, so `diff` renames every id to its ordinal of first appearance (and checks
 * that ids are unique); load file names are random too and are compared by position. Everything
 * else (schema, manifest, rejected items, every byte of every load file) must be equal.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigResolver, EnvProvider } from "../src/config/index.js";
import { duckdb } from "../src/destinations/duckdb/index.js";
import { resource } from "../src/extract/index.js";
import type { NormalizeOptions } from "../src/normalize/index.js";
import type { NamingConvention } from "../src/normalize/naming.js";
import { Pipeline } from "../src/pipeline/index.js";
import type { Schema } from "../src/schema/schema.js";
import { sageAccountingSource } from "../src/sage/index.js";
import { startSandbox } from "../src/sandbox/index.js";
import { ExactNumber } from "../src/util/lossless-json.js";
import { invoices } from "./normalize-load.bench.js";

const BENCH_RECORDS = Number(process.env.BENCH_INVOICES ?? 200_000);

function pipeline(dir: string, name: string): Pipeline {
  return new Pipeline({
    pipelineName: name,
    datasetName: "data",
    destination: duckdb({ credentials: join(dir, `${name}.duckdb`) }),
    pipelinesDir: join(dir, "pipelines"),
    config: new ConfigResolver([new EnvProvider({})]),
  });
}

/** The extracted packages of a pipeline, oldest first, moved to `<dir>/<set>/<n>`. */
function keepPackages(dir: string, name: string, set: string): void {
  const from = join(dir, "pipelines", name, "packages", "extracted");
  const ids = readdirSync(from).sort();
  ids.forEach((id, n) => {
    cpSync(join(from, id), join(dir, set, String(n)), { recursive: true });
  });
}

const MARK = "\uF026";

/** Items that take every odd path: typed values, variants, collisions, long and odd keys, nesting. */
function oddItems(round: number): unknown[] {
  let deep: Record<string, unknown> = { leaf: "bottom" };
  for (let i = 0; i < 60; i++) deep = { [`k${i}`]: deep };
  let deepList: unknown = [{ v: 1 }];
  for (let i = 0; i < 30; i++) deepList = [{ inner: deepList }];
  const long = "a_really_long_field_name_that_goes_on_and_on_for_the_limit";
  const base: unknown[] = [
    42,
    "just text",
    null,
    [1, 2],
    { "": 1, "   ": 2, $$$: 3, "@!#": 4, "+-*@|": 5, "٣digits": 6, trailing__: 7, "a.b": 8 },
    { Id: 1, id: 2, ID: 3, _dlt_id: "mine", _dlt_load_id: "also mine", value: 1 },
    { id: 3, Id: 4, a__b: 1, a: { b: 2, B: 3 } },
    { amount: 10, amount__v_text: "x", when: "2024-01-01T00:00:00Z" },
    { amount: "ten", when: "yesterday", amount__v_text: "y" },
    { amount: "12", when: 1700000000, flag: "true", ratio: "0.5" },
    { amount: 1.5, when: -1e12, flag: true, ratio: 2 },
    { amount: 12345678901234567890n, when: new Date(Date.UTC(2020, 1, 29, 1, 2, 3, 4)), bytes: new Uint8Array([0, 1, 250]) },
    { amount: new ExactNumber("123456789012345678901234567890.123"), big: new ExactNumber("1e400"), n: Number.NaN },
    { money: "00012.3400", neg: "-0.5", plus: "+7", sci: "1e5", dot: "1.", lead: ".5", huge: "9".repeat(40) },
    { money: 3, neg: -2n, plus: new ExactNumber("99999999999999999999999999999.5") },
    { money: "12345678901.5", neg: 12345678901.5, plus: 1e30 },
    { d1: "2024-02-29", d2: "2023-02-29", d3: "2024-04-31", d4: "2024-13-01", d5: "2024-1-01", d6: "0000-01-01" },
    { d1: "2024-03-01", d2: "2023-03-01", d3: new Date(Date.UTC(2024, 0, 2)), d4: new Date(Date.UTC(2024, 0, 2, 3)) },
    {
      t1: "2024-03-01T10:00:00.123456789Z",
      t2: "2024-03-01 10:00",
      t3: "2024-03-01T10:00:00+01:00",
      t4: "2024-03-01T10:00:00-0530",
      t5: "2024-03-01T24:00:00Z",
      t6: "2024-02-30T10:00:00Z",
      t7: "2024-03-01T10:00:00.1234567z",
      t8: "2024-03-01T10:00:60Z",
      t9: "2024-03-01t10:00:00Z",
    },
    { t1: "2024-03-01", t2: 0, t3: "2024-03-01T10:00:00.5", t4: "x", t5: new Date(Number.NaN), t6: 1.5 },
    { s: `a\u0000b`, tab: "a\tb\nc\\d\re", quote: 'say "hi"', mark: `${MARK}S${MARK}x`, emoji: "héllo ☃ 😀" },
    { [long]: 1, nested: { [long]: { [long]: 2 } }, list: [{ [long]: [{ [long]: 3 }] }] },
    deep,
    { deepList },
    { matrix: [[1, 2], [3], []], tags: ["x", null, "y"], empty: [], objs: [{}, { a: null }] },
    { contact: { id: "c1", displayedAs: "C One", links: [{ href: "h" }] }, camelCaseKey: 1, HTTPServer: 2, already_snake: 3 },
    { mixed: [1, "a", true, 1.5, { x: 1 }, [2]] },
    { inf: Number.POSITIVE_INFINITY, ninf: Number.NEGATIVE_INFINITY, maxsafe: 2 ** 53, unsafe: 2 ** 53 + 2 },
    { round, nested_json: { a: [1, { b: 2 }] }, value: "v" },
  ];
  return base;
}

async function makeOdd(dir: string): Promise<void> {
  for (let round = 0; round < 2; round++) {
    const p = pipeline(dir, "odd");
    const items = oddItems(round);
    const resources = [
      resource(
        function* () {
          yield items;
        },
        { name: "odd", columns: { money: { dataType: "decimal", precision: 12, scale: 2 }, nested_json: { dataType: "json" } } },
      ),
      resource(
        function* () {
          yield [
            { id: 1, v: "a", lines: [{ x: 1 }] },
            { id: 2, v: "b" },
            { id: 1, v: "c", lines: [{ x: 2 }, { x: 3 }] },
            { id: "1", v: "d" },
            { id: 2, v: round },
          ];
        },
        { name: "dups", primaryKey: "id", writeDisposition: "merge" },
      ),
      resource(
        function* () {
          yield [
            { business_id: "b1", id: "x", v: 1 },
            { business_id: "b2", id: "x", v: 2 },
            { business_id: "b1", id: "x", v: 3 },
            { business_id: "b1", v: 4 },
          ];
        },
        { name: "composite", primaryKey: ["business_id", "id"], writeDisposition: "merge" },
      ),
      resource(
        function* () {
          yield [{ a: { b: { c: 1 } }, list: [{ x: { y: 2 }, inner: [1] }], keep: { as_json: [1] } }];
        },
        { name: "shallow", maxTableNesting: 1, columns: { keep: { dataType: "json" } } },
      ),
      resource(
        function* () {
          yield round === 0
            ? [{ id: 1, n: 1, lines: [{ q: 1 }] }]
            : [
                { id: 2, n: "x", fresh: 1, lines: [{ q: "y", fresh: 2 }] },
                { id: 3, n: 3, lines: [{ q: 4 }] },
              ];
        },
        { name: "contract_value", schemaContract: { columns: "discard_value", dataType: "discard_value" } },
      ),
      resource(
        function* () {
          yield round === 0
            ? [{ id: 1, n: 1, lines: [{ q: 1 }] }]
            : [
                { id: 2, n: "x", lines: [{ q: 2 }] },
                { id: 3, n: 3, lines: [{ q: "z" }, { q: 5 }] },
                { id: 4, n: 4, extra: true },
              ];
        },
        { name: "contract_row", schemaContract: { columns: "discard_row", dataType: "discard_row" } },
      ),
      resource(
        function* () {
          yield [{ id: 1 }];
        },
        { name: "dynamic", tableName: (item: unknown) => `Dyn ${String((item as { id: number }).id)}` },
      ),
    ];
    // `run` normalizes both rounds in order with one schema, so round 1 meets round 0's tables.
    await p.extract(resources);
  }
  keepPackages(dir, "odd", "odd");
}

async function makeSage(dir: string): Promise<void> {
  const sb = await startSandbox({ port: 0, businesses: 2, scale: 0.3 });
  try {
    const tokens = sb.issueTokens("readonly");
    const config = new ConfigResolver([new EnvProvider({})]);
    const p = pipeline(dir, "sage");
    await p.extract(sageAccountingSource({ baseUrl: sb.apiBaseUrl, accessToken: tokens.access_token }, config));
    keepPackages(dir, "sage", "sage");
  } finally {
    await sb.close();
  }
}

async function makeBench(dir: string): Promise<void> {
  const p = pipeline(dir, "bench");
  await p.extract(invoices(BENCH_RECORDS));
  keepPackages(dir, "bench", "bench");
}

interface Build {
  normalizePackage: (o: NormalizeOptions) => Promise<unknown>;
  NamingConvention: new (maxLength?: number) => NamingConvention;
  Schema: new (name: string) => Schema;
}

async function loadBuild(dist: string): Promise<Build> {
  const url = (p: string) => pathToFileURL(join(resolve(dist), p)).href;
  const n = (await import(url("normalize/index.js"))) as Build;
  const s = (await import(url("schema/schema.js"))) as Pick<Build, "Schema">;
  return { normalizePackage: n.normalizePackage, NamingConvention: n.NamingConvention, Schema: s.Schema };
}

/** Normalize every package of each set in `dir` in order (one schema per set); CPU and wall seconds. */
async function run(dist: string, dir: string, out: string, workers: number, format: string, maxLength?: number) {
  const b = await loadBuild(dist);
  const sets = existsSync(join(dir, "0")) ? [""] : readdirSync(dir).sort();
  let cpu = 0;
  let wall = 0;
  for (const set of sets) {
    const schema = new b.Schema(set || "s");
    const naming = new b.NamingConvention(maxLength);
    const pkgs = readdirSync(join(dir, set)).sort((x, y) => Number(x) - Number(y));
    for (const pkg of pkgs) {
      const target = join(out, set, pkg);
      rmSync(target, { recursive: true, force: true });
      mkdirSync(join(target, "new_jobs"), { recursive: true });
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      try {
        await b.normalizePackage({
          extractedDir: join(dir, set, pkg),
          outDir: target,
          schema,
          naming,
          workers,
          format: format as NormalizeOptions["format"],
        });
      } catch (err) {
        writeFileSync(join(target, "error.txt"), `${(err as Error).message}\n`);
      }
      wall += Number(process.hrtime.bigint() - t0) / 1e9;
      const c = process.cpuUsage(c0);
      cpu += (c.user + c.system) / 1e6;
    }
  }
  return { cpu, wall };
}

const ID_COLUMNS = new Set(["_dlt_id", "_dlt_parent_id", "_dlt_root_id"]);

interface Job {
  table: string;
  file: string;
  columns?: string[];
}

/** One normalized package as text with ids renamed in order of first appearance. */
function canonical(dir: string): { text: string; problems: string[] } {
  const problems: string[] = [];
  if (existsSync(join(dir, "error.txt"))) return { text: `error: ${readFileSync(join(dir, "error.txt"), "utf8")}`, problems };
  const ids = new Map<string, string>();
  const rowIds = new Set<string>();
  const rename = (id: string) => {
    let c = ids.get(id);
    if (c === undefined) ids.set(id, (c = `#${ids.size}`));
    return c;
  };
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Record<string, unknown> & { jobs: Job[] };
  const parts: string[] = [];
  manifest.jobs.forEach((job) => {
    const text = readFileSync(join(dir, "new_jobs", job.file), "utf8");
    const lines = text.split("\n");
    const out = lines.map((line) => {
      if (!line) return line;
      if (job.columns) {
        const f = line.split("\t");
        job.columns.forEach((c, i) => {
          if (!ID_COLUMNS.has(c)) return;
          if (c === "_dlt_id") {
            if (rowIds.has(f[i]!)) problems.push(`${job.table}: _dlt_id ${f[i]!} twice`);
            rowIds.add(f[i]!);
          }
          f[i] = rename(f[i]!);
        });
        return f.join("\t");
      }
      const row = JSON.parse(line) as Record<string, unknown>;
      const id = row._dlt_id as string;
      if (rowIds.has(id)) problems.push(`${job.table}: _dlt_id ${id} twice`);
      rowIds.add(id);
      return line.replace(
        /"(_dlt_id|_dlt_parent_id|_dlt_root_id)":"([A-Za-z0-9_-]+)"/g,
        (_m, c: string, v: string) => `"${c}":"${rename(v)}"`,
      );
    });
    parts.push(`== job ${job.table} ${JSON.stringify(job.columns ?? null)}\n${out.join("\n")}`);
  });
  manifest.jobs = manifest.jobs.map((j, i) => ({ ...j, file: `job ${i}` }));
  delete manifest.normalizedAt;
  const superseded = manifest.superseded as Record<string, string[]>;
  for (const t of Object.keys(superseded)) superseded[t] = superseded[t]!.map(rename);
  parts.unshift(`== manifest\n${JSON.stringify(manifest, null, 1)}`);
  parts.push(`== schema\n${readFileSync(join(dir, "schema.json"), "utf8")}`);
  const rest = readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => !["manifest.json", "schema.json"].includes(f) && !f.startsWith("new_jobs") && statSync(join(dir, f)).isFile())
    .sort();
  for (const f of rest) parts.push(`== ${f}\n${readFileSync(join(dir, f), "utf8")}`);
  return { text: parts.join("\n"), problems };
}

function diff(a: string, b: string): number {
  let bad = 0;
  const walk = (rel: string) => {
    const here = join(a, rel);
    if (existsSync(join(here, "manifest.json")) || existsSync(join(here, "error.txt"))) {
      const x = canonical(here);
      const y = canonical(join(b, rel));
      for (const p of [...x.problems, ...y.problems]) {
        bad++;
        process.stdout.write(`${rel}: ${p}\n`);
      }
      if (x.text !== y.text) {
        bad++;
        const xl = x.text.split("\n");
        const yl = y.text.split("\n");
        const at = xl.findIndex((l, i) => l !== yl[i]);
        process.stdout.write(`${rel}: differs at line ${at}\n  A: ${xl[at]?.slice(0, 400)}\n  B: ${yl[at]?.slice(0, 400)}\n`);
      } else process.stdout.write(`${rel}: equal (${x.text.length} chars)\n`);
      return;
    }
    for (const d of readdirSync(here).sort()) walk(join(rel, d));
  };
  walk("");
  return bad;
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === "make") {
  const dir = resolve(args[0]!);
  const only = args[1];
  if (!only || only === "odd") await makeOdd(dir);
  if (!only || only === "sage") await makeSage(dir);
  if (!only || only === "bench") await makeBench(dir);
  rmSync(join(dir, "pipelines"), { recursive: true, force: true });
  for (const f of readdirSync(dir)) if (f.includes(".duckdb")) rmSync(join(dir, f));
} else if (cmd === "run") {
  const r = await run(
    args[0]!,
    args[1]!,
    args[2]!,
    Number(args[3] ?? 1),
    args[4] ?? "jsonl",
    args[5] ? Number(args[5]) : undefined,
  );
  process.stdout.write(`${JSON.stringify(r)}\n`);
} else if (cmd === "diff") {
  process.exitCode = diff(args[0]!, args[1]!) > 0 ? 1 : 0;
} else if (cmd === "time") {
  // Old and new build alternating, each run in a fresh process: CPU (all threads) and wall.
  const [distA, distB, pkg, runs, workers] = args as [string, string, string, string, string | undefined];
  const out = join(resolve(pkg), "..", "time-out");
  for (let i = 0; i < Number(runs); i++) {
    for (const dist of [distA, distB]) {
      const load = loadavg()[0]!.toFixed(1);
      const r = spawnSync(process.execPath, [process.argv[1]!, "run", dist, pkg, out, workers ?? "1"], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
      const { cpu, wall } = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { cpu: number; wall: number };
      process.stdout.write(`${dist}\trun ${i + 1}\tcpu ${cpu.toFixed(2)} s\twall ${wall.toFixed(2)} s\tload ${load}\n`);
    }
  }
  rmSync(out, { recursive: true, force: true });
} else {
  process.stderr.write("usage: normalize-equal make|run|diff|time (see the comment at the top)\n");
  process.exitCode = 2;
}
