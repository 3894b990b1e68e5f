import { join } from "node:path";
import { ConfigResolver, EnvProvider } from "../src/config/index.js";
import { duckdb } from "../src/destinations/duckdb/index.js";
import { onRequestEvent } from "../src/http/index.js";
import { Pipeline } from "../src/pipeline/index.js";
import { sageAccountingSource } from "../src/sage/index.js";
import { type FaultKind, startFaultProxy } from "../test/fixtures/fault-proxy.js";
import { type BenchResult, fmt, time, withTempDir } from "./lib.js";
import { sandboxProcess } from "./sandbox-process.js";

const SCALE = Number(process.env.BENCH_FAULTS_SCALE ?? 0.5);
const LATENCY_MS = 50;
const STALL_TIMEOUT_S = 10;

interface Scenario {
  name: string;
  rates: Partial<Record<FaultKind, number>>;
}

/** Same data, same settings; only the faults differ. The clean run goes through the proxy too, so its cost is in every run. */
const SCENARIOS: Scenario[] = [
  { name: "clean", rates: {} },
  { name: "2% throttled (429, Retry-After: 1)", rates: { throttle: 0.02 } },
  {
    name: "5% mixed faults",
    rates: { throttle: 0.015, html503: 0.01, reset: 0.01, truncate: 0.005, stall: 0.005, html200: 0.005 },
  },
];

export default async function run(): Promise<BenchResult> {
  const { url, child } = await sandboxProcess({ scale: SCALE, latencyMs: LATENCY_MS });
  try {
    const tokens = (await (
      await fetch(`${url}/__sandbox/tokens`, {
        method: "POST",
        body: JSON.stringify({ scope: "readonly" }),
        headers: { "content-type": "application/json" },
      })
    ).json()) as { access_token: string };
    // Generating the data takes the sandbox a few seconds: warm it up outside the timing.
    await fetch(`${url}/v3.1/sales_invoices?items_per_page=1`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    const rows: string[] = [];
    let clean = 0;
    let cleanRows = -1;
    for (const [i, s] of SCENARIOS.entries()) {
      const proxy = await startFaultProxy({ target: url, seed: 16 + i, rates: s.rates, stallMs: 30_000, retryAfterSeconds: 1 });
      try {
        const r = await withTempDir(async (dir) => {
          const config = new ConfigResolver([
            new EnvProvider({ RUNTIME__REQUEST_STALL_TIMEOUT: String(STALL_TIMEOUT_S), RUNTIME__REQUEST_MAX_ATTEMPTS: "8" }),
          ]);
          const p = new Pipeline({
            pipelineName: "faults_bench",
            datasetName: "sage",
            destination: duckdb({ credentials: join(dir, "f.duckdb") }),
            pipelinesDir: join(dir, "p"),
            config,
          });
          let requests = 0;
          const off = onRequestEvent((e) => {
            if (e.type === "request") requests++;
          });
          try {
            // Timed: the extract, where the faults act; normalize and load only count the rows.
            const t = await time(() =>
              p.extract(sageAccountingSource({ baseUrl: `${proxy.url}/v3.1`, accessToken: tokens.access_token }, config)),
            );
            await p.normalize();
            const load = await p.load();
            const loaded = Object.values(load.rowCounts).reduce((a, b) => a + b, 0);
            return { seconds: t.seconds, requests, loaded };
          } finally {
            off();
          }
        });
        if (i === 0) {
          clean = r.seconds;
          cleanRows = r.loaded;
        }
        const c = proxy.counts;
        const injected = c.requests - c.clean;
        const kinds = (Object.keys(c) as Array<keyof typeof c>)
          .filter((k) => k !== "requests" && k !== "clean" && c[k] > 0)
          .map((k) => `${k} ${c[k]}`)
          .join(", ");
        rows.push(
          `| ${s.name} | ${fmt(r.requests)} | ${fmt(injected)}${kinds ? ` (${kinds})` : ""} | ${fmt(r.loaded)}${r.loaded === cleanRows ? "" : " (differs!)"} | ${fmt(r.seconds, 1)} s | **${fmt(r.seconds / clean, 2)}x** |`,
        );
      } finally {
        await proxy.close();
      }
    }
    return {
      title: "Faults: clean vs throttled vs mixed faults on the same data (issues 8 and 16)",
      markdown: [
        `One sandbox business at scale ${SCALE}, every default resource, ${LATENCY_MS} ms latency, the Sage source's defaults (10 concurrent requests), through the fault proxy of test/fixtures/fault-proxy.ts (seeded). Stalls last 30 s; runtime.request_stall_timeout is ${STALL_TIMEOUT_S} s here, request_max_attempts 8. Targets: 2% throttled ≤ 1.5x clean, 5% mixed ≤ 2.5x.`,
        "",
        "| run | requests sent | faults injected | rows loaded | extract wall time | vs clean |",
        "| --- | ---: | --- | ---: | ---: | ---: |",
        ...rows,
      ].join("\n"),
    };
  } finally {
    child.kill("SIGTERM");
  }
}
