import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { type TableShape, describeTables } from "./duckdb-tables.js";
import { type BenchResult, fmt, mib, runChild, withTempDir } from "./lib.js";
import { admin, sandboxProcess } from "./sandbox-process.js";
import type { SideArgs, SideResult } from "./vs-dlt.ours.js";

/**
 * The same Sage sandbox data loaded into DuckDB by dlt's rest_api source and by this project, in
 * the same run, each side in its own process. dlt comes from the pinned test venv
 * (scripts/test-infra/setup-python.sh); where Python is missing the section says so instead.
 */
const SCALE = Number(process.env.BENCH_VS_DLT_SCALE ?? 2);
const LATENCIES = (process.env.BENCH_VS_DLT_LATENCIES ?? "0,100").split(",").map(Number);
/** The seed's resources (contacts, invoices, payments, products, tax_rates) as README maps them. */
const RESOURCES = [
  "contacts",
  "sales_invoices",
  "purchase_invoices",
  "contact_payments",
  "other_payments",
  "products",
  "tax_rates",
];

const repo = join(import.meta.dirname, "..", "..");
const STEPS = ["extract", "normalize", "load"] as const;

function setupPython(): { python: string } | { skipped: string } {
  const r = spawnSync("bash", [join(repo, "scripts", "test-infra", "setup-python.sh")], { encoding: "utf8" });
  if (r.status === 0) return { python: r.stdout.trim().split("\n").at(-1)! };
  const why = r.stderr.trim().split("\n").at(-1) ?? `exit ${String(r.status)}`;
  if (r.status === 3) return { skipped: why };
  throw new Error(`scripts/test-infra/setup-python.sh failed: ${r.stderr.slice(-2000)}`);
}

/** What bench/vs-dlt.dlt.py prints: this project's fields and the versions dlt ran with. */
interface DltResult extends SideResult {
  versions: { dlt: string; duckdb: string };
}

interface Measured {
  latencyMs: number;
  requests: { dlt: number; ours: number };
  dlt: DltResult & { wall: number };
  ours: SideResult & { wall: number };
}

const total = (r: SideResult) => r.seconds.extract + r.seconds.normalize + r.seconds.load;
const cpuTotal = (r: SideResult) => r.cpu.extract + r.cpu.normalize + r.cpu.load;

async function measure(python: string, latencyMs: number, dir: string): Promise<Measured> {
  const { url, child } = await sandboxProcess({ scale: SCALE, latencyMs, tokenTtlSeconds: 3600 });
  try {
    const info = await admin(url, "info");
    const { access_token: token } = await admin(url, "tokens", { scope: "readonly" });
    const business = info.businesses[0]!.id;
    // The sandbox generates its data on the first request: outside the timing.
    await fetch(`${url}/v3.1/sales_invoices?items_per_page=1`, {
      headers: { authorization: `Bearer ${token}`, "x-business": business },
    });
    const args = (side: string): SideArgs => ({
      url,
      token,
      business,
      resources: RESOURCES,
      db: join(dir, `${side}-${String(latencyMs)}.duckdb`),
      pipelines_dir: join(dir, `${side}-${String(latencyMs)}-pipelines`),
    });
    await admin(url, "stats/reset", {});
    const ours = await runChild(process.execPath, [join(import.meta.dirname, "vs-dlt.ours.js"), JSON.stringify(args("ours"))]);
    const oursRequests = (await admin(url, "stats")).totalRequests;
    await admin(url, "stats/reset", {});
    const dlt = await runChild(python, [join(repo, "bench", "vs-dlt.dlt.py"), JSON.stringify(args("dlt"))], {
      ...process.env,
      RUNTIME__LOG_LEVEL: "WARNING",
    });
    const dltRequests = (await admin(url, "stats")).totalRequests;
    return {
      latencyMs,
      requests: { dlt: dltRequests, ours: oursRequests },
      dlt: { ...(dlt.value as DltResult), wall: dlt.seconds },
      ours: { ...(ours.value as SideResult), wall: ours.seconds },
    };
  } finally {
    child.kill("SIGTERM");
  }
}

/** Why a column's type differs, and which side is right; unknown pairs say so. */
function typeVerdict(dltType: string, oursType: string, columns: string[]): string {
  if (dltType === "VARCHAR" && oursType.startsWith("DECIMAL"))
    return "money and quantities: Sage's spec types them `number`, the API sends two-decimal strings; ours keeps them exact as decimals (sums and comparisons work), dlt keeps text. **Ours.**";
  if (dltType === "VARCHAR" && oursType === "DATE")
    return "Sage's spec says `format: date`; dlt has no date detection by default and keeps text. **Ours.**";
  if (dltType === "VARCHAR" && oursType.startsWith("TIMESTAMP"))
    return "Sage's spec says `format: date-time`; ours types them from the catalog. **Ours.**";
  if (dltType.startsWith("TIMESTAMP") && oursType.startsWith("TIMESTAMP"))
    return "both are timestamps; the precision differs (both keep Sage's whole seconds). Either.";
  return `not explained by this bench (${columns.slice(0, 3).join(", ")}): look at both.`;
}

function parity(dlt: Map<string, TableShape>, ours: Map<string, TableShape>): string[] {
  const out = [
    "| table | rows dlt | rows ours | columns dlt / ours | columns only in dlt | columns only in ours |",
    "| --- | ---: | ---: | ---: | --- | --- |",
  ];
  const types = new Map<string, string[]>();
  const names = [...new Set([...dlt.keys(), ...ours.keys()])].filter((t) => !t.startsWith("_dlt_")).sort();
  let sameRows = 0;
  let compared = 0;
  for (const t of names) {
    const d = dlt.get(t);
    const o = ours.get(t);
    if (d && o) {
      compared++;
      if (d.rows === o.rows) sameRows++;
      for (const [c, dt] of d.columns) {
        const ot = o.columns.get(c);
        if (ot !== undefined && ot !== dt) {
          const k = `${dt} → ${ot}`;
          types.set(k, [...(types.get(k) ?? []), `${t}.${c}`]);
        }
      }
    }
    const only = (a?: TableShape, b?: TableShape) =>
      a && b
        ? [...a.columns.keys()]
            .filter((c) => !b.columns.has(c))
            .map((c) => `\`${c}\``)
            .join(", ") || "–"
        : "–";
    const rows = (s?: TableShape) => (s ? fmt(s.rows) : "(no table)");
    const bold = d && o && d.rows !== o.rows ? "**" : "";
    out.push(
      `| \`${t}\` | ${bold}${rows(d)}${bold} | ${bold}${rows(o)}${bold} | ${d ? String(d.columns.size) : "–"} / ${o ? String(o.columns.size) : "–"} | ${only(d, o)} | ${only(o, d)} |`,
    );
  }
  out.push("", `Tables in both: ${String(compared)}, with equal row counts: **${String(sameRows)} of ${String(compared)}**.`);
  const dltOnly = names.filter((t) => dlt.has(t) && !ours.has(t));
  const oursOnly = names.filter((t) => ours.has(t) && !dlt.has(t));
  if (dltOnly.length)
    out.push(
      `Tables only dlt makes: ${dltOnly.map((t) => `\`${t}\``).join(", ")}. These hold Sage's hypermedia \`links\` (\`href\`, \`rel\`, \`type\` of a web page): no accounting data, so this project leaves them out (README, "What lands in the database"). Neither is wrong; ours is the smaller schema by choice.`,
    );
  if (oursOnly.length) out.push(`Tables only this project makes: ${oursOnly.map((t) => `\`${t}\``).join(", ")}.`);
  out.push(
    "Columns only in ours: `business_id` comes from the request's `X-Business` (the key is `(business_id, id)`); dlt's rows do not say which business they belong to, so two businesses would collide on `id`. **Ours.** The others (`deleted_at`, `cis_*`, `*_itc_*`...) are in Sage's spec but no row of this data has a value (Sage leaves empty attributes out): this project declares the catalog's columns with their types up front, so the table's shape does not change the day a first value arrives; dlt adds a column when a value first appears (and would then guess its type from that value). **Ours.**",
    "",
    "| type dlt → ours | columns | which is right |",
    "| --- | ---: | --- |",
  );
  for (const [k, cols] of [...types.entries()].sort((a, b) => b[1].length - a[1].length)) {
    const [dt, ot] = k.split(" → ") as [string, string];
    out.push(`| ${k} | ${String(cols.length)} (e.g. \`${cols[0]!}\`) | ${typeVerdict(dt, ot, cols)} |`);
  }
  if (types.size === 0) out.push("| (none) | 0 | same types everywhere |");
  return out;
}

export default async function run(): Promise<BenchResult> {
  const title = "Side by side with dlt: Sage sandbox → DuckDB (issue 15)";
  const py = setupPython();
  if ("skipped" in py)
    return { title, markdown: `Not measured in this run: ${py.skipped} (dlt runs from a Python venv; see scripts/test-infra/).` };
  return withTempDir(async (dir) => {
    const load = loadavg()[0]!;
    const runs: Measured[] = [];
    for (const latency of LATENCIES) runs.push(await measure(py.python, latency, dir));
    const first = runs[0]!;
    const shapes = await Promise.all([
      describeTables(join(dir, `dlt-${String(first.latencyMs)}.duckdb`), "sage"),
      describeTables(join(dir, `ours-${String(first.latencyMs)}.duckdb`), "sage"),
    ]);
    const rowsOf = (r: SideResult) =>
      Object.entries(r.rows)
        .filter(([t]) => !t.startsWith("_dlt_"))
        .reduce((a, [, n]) => a + n, 0);
    const md = [
      `One sandbox business at scale ${String(SCALE)}, the seed's resources (${RESOURCES.join(", ")}), loaded into a fresh DuckDB file by each side in its own process, one after the other against the same sandbox (its own process too). dlt ${first.dlt.versions.dlt} from \`.venv-test/\` (pinned in \`scripts/test-infra/requirements.txt\`, with Python duckdb ${first.dlt.versions.duckdb}, the engine version the product's \`@duckdb/node-api\` runs), this project from \`build/\`. Load average when the run started: ${fmt(load, 1)} on a machine shared with other work, so absolute seconds are noisy; each ratio's baseline is the dlt run in the same block.`,
      "",
      "**dlt's configuration**: `rest_api_source` with bearer auth, `X-Business` as a client header, `resource_defaults` of `primary_key: id`, `write_disposition: merge`, `data_selector: $['$items']`, params `items_per_page=200` and `attributes=all` (what this project asks for too), and the paginator `page_number` (`base_page: 1`, `page_param: page`, `stop_after_empty_page: false`) with `total_path: ($['$total'] + 199.5) * 0.005` — jsonpath-ng's arithmetic turns Sage's item count into the page count dlt wants (`int()` of it is `ceil($total / 200)`). dlt's `json_link` paginator cannot follow `$next` (it `urljoin`s the absolute path onto the request URL and drops `/v3.1`), auto-detection finds nothing (`$next` does not start with `next`), and a page past the end repeats the last page, so an empty page never stops it. dlt fetches pages one after the other; this project fetches them in parallel (10 in flight, its default) once the first page gave `$total`.",
      "",
      "| latency | side | requests | first request s | extract s | normalize s | load s | **end to end s** | CPU s (extract / normalize / load) | process wall s | peak RSS |",
      "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ];
    for (const r of runs)
      for (const side of ["dlt", "ours"] as const) {
        const s = r[side];
        md.push(
          `| ${String(r.latencyMs)} ms | ${side === "dlt" ? "dlt" : "this project"} | ${fmt(r.requests[side])} | ${s.first_request_s === null ? "–" : fmt(s.first_request_s, 2)} | ${STEPS.map((k) => fmt(s.seconds[k], 2)).join(" | ")} | **${fmt(total(s), 2)}** | ${fmt(cpuTotal(s), 2)} (${STEPS.map((k) => fmt(s.cpu[k], 2)).join(" / ")}) | ${fmt(s.wall, 1)} | ${mib(s.peak_rss_kb)} |`,
        );
      }
    md.push(
      "",
      "| latency | end to end: dlt / ours (target) | extract | normalize | load | CPU: dlt / ours | peak RSS: dlt / ours |",
      "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const r of runs) {
      const x = (k: (typeof STEPS)[number]) => `${fmt(r.dlt.seconds[k] / r.ours.seconds[k], 2)}x`;
      const target = r.latencyMs === 0 ? "≥ 3x" : "≥ 5x";
      md.push(
        `| ${String(r.latencyMs)} ms | **${fmt(total(r.dlt) / total(r.ours), 2)}x** (${target}) | ${x("extract")} | ${x("normalize")} | ${x("load")} | ${fmt(cpuTotal(r.dlt) / cpuTotal(r.ours), 2)}x | ${fmt(r.dlt.peak_rss_kb / r.ours.peak_rss_kb, 2)}x |`,
      );
    }
    md.push(
      "",
      `Ratios are dlt's seconds over this project's, measured in the same block (higher: this project is faster). End to end is the sum of the three steps' wall time inside each process; process wall adds interpreter start and imports. First request is the time from the start of the extract step to the first HTTP request sent (this project: after the destination sync, and its first request is the business list; dlt: after its own sync and source setup). CPU is the process's user + system time over the steps (every thread: dlt's extract and load thread pools, this project's normalize workers and DuckDB's threads); on a shared machine it is the steadier figure, wall time depends on what else runs. Rows outside \`_dlt_*\` tables: dlt ${fmt(rowsOf(first.dlt))}, ours ${fmt(rowsOf(first.ours))}. Peak RSS is each process's \`getrusage\` maximum resident set (Node's \`process.resourceUsage().maxRSS\`, Python's \`resource.getrusage\`, self and children).`,
      "",
      `**Parity** (the ${String(first.latencyMs)} ms run's two DuckDB files, schema \`sage\`, \`_dlt_*\` bookkeeping tables left out):`,
      "",
      ...parity(shapes[0], shapes[1]),
    );
    return { title, markdown: md.join("\n") };
  });
}
