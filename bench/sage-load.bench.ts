import { join } from "node:path";
import { ConfigResolver, EnvProvider } from "../src/config/index.js";
import { duckdb } from "../src/destinations/duckdb/index.js";
import { Pipeline } from "../src/pipeline/index.js";
import { onRequestEvent } from "../src/http/index.js";
import { sageAccountingSource } from "../src/sage/index.js";
import { type BenchResult, fmt, time, withTempDir } from "./lib.js";
import { admin, sandboxProcess } from "./sandbox-process.js";

const SCALE = Number(process.env.BENCH_SAGE_SCALE ?? 10);
const LATENCY_MS = 100;
const CONCURRENCY = Number(process.env.BENCH_SAGE_CONCURRENCY ?? 32);

export default async function run(): Promise<BenchResult> {
  const { url, child } = await sandboxProcess({ scale: SCALE, latencyMs: LATENCY_MS });
  try {
    return await withTempDir(async (dir) => {
      const info = await admin(url, "info");
      const tokens = await admin(url, "tokens", { scope: "readonly" });
      const config = new ConfigResolver([new EnvProvider({})]);
      const source = () =>
        sageAccountingSource({ baseUrl: `${url}/v3.1`, accessToken: tokens.access_token, maxConcurrency: CONCURRENCY }, config);
      const p = new Pipeline({
        pipelineName: "sage_bench",
        datasetName: "sage",
        destination: duckdb({ credentials: join(dir, "s.duckdb") }),
        pipelinesDir: join(dir, "p"),
        config,
      });
      // Generating scale-10 data takes the sandbox a few seconds: warm it up outside the timing.
      await fetch(`${url}/v3.1/sales_invoices?items_per_page=1`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      await admin(url, "stats/reset", {});
      const sent: Array<{ url: string; business?: string }> = [];
      const off = onRequestEvent((e) => {
        if (e.type === "request") sent.push({ url: e.url, business: e.headers["x-business"] });
      });
      const extract = await time(() => p.extract(source()));
      off();
      const stats = await admin(url, "stats");
      const requests: number = stats.totalRequests;
      const normalize = await time(() => p.normalize());
      const load = await time(() => p.load());
      const rows = Object.values(load.value.rowCounts).reduce((a, b) => a + b, 0);
      const invoices = load.value.rowCounts.sales_invoices ?? 0;
      const ideal = Math.ceil(requests / CONCURRENCY) * (LATENCY_MS / 1000);
      // Baseline: the same requests replayed by a bare fetch loop at the same concurrency. It
      // shows what the sandbox itself costs (it renders every page), so the ratio isolates ours.
      await admin(url, "stats/reset", {});
      const queue = [...sent];
      const bare = await time(() =>
        Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            for (let r = queue.shift(); r; r = queue.shift()) {
              const res = await fetch(r.url, {
                headers: { authorization: `Bearer ${tokens.access_token}`, ...(r.business ? { "x-business": r.business } : {}) },
              });
              await res.text();
            }
          }),
        ),
      );

      // 1% of the invoices changed: an incremental run.
      const business = info.businesses[0]!.id;
      await admin(url, "mutate", { business, resource: "sales_invoices", updates: Math.max(1, Math.round(invoices / 100)) });
      await admin(url, "stats/reset", {});
      const incremental = await time(() => p.run(source()));
      const incStats = await admin(url, "stats");
      const changed = incremental.value.rowCounts.sales_invoices ?? 0;

      return {
        title: "Sage sandbox: full load and incremental run (issue 4)",
        markdown: [
          `One sandbox business at scale ${SCALE} (${fmt(invoices)} sales invoices; ${fmt(rows)} rows in all tables), every default resource, ${LATENCY_MS} ms latency per request, the sandbox enforcing Sage's 150 concurrent requests, the pipeline's limiter at ${CONCURRENCY} concurrent requests. The sandbox runs in its own process.`,
          "",
          "| | value |",
          "| --- | ---: |",
          `| requests of the full load | ${fmt(requests)} |`,
          `| extract wall time | ${fmt(extract.seconds, 1)} s |`,
          `| ideal from the limiter: ceil(${requests} / ${CONCURRENCY}) × ${LATENCY_MS} ms | ${fmt(ideal, 1)} s |`,
          `| **extract / ideal** | **${fmt(extract.seconds / ideal, 2)}x** |`,
          `| baseline: the same ${sent.length} requests replayed by a bare fetch loop, ${CONCURRENCY} at a time | ${fmt(bare.seconds, 1)} s |`,
          `| **extract / bare replay** (our overhead: paging, limiter, raw files) | **${fmt(extract.seconds / bare.seconds, 2)}x** |`,
          `| normalize + load | ${fmt(normalize.seconds + load.seconds, 1)} s |`,
          `| incremental run after 1% of invoices changed (${changed} invoices loaded) | ${fmt(incStats.totalRequests)} requests, ${fmt(incremental.seconds, 1)} s |`,
          "",
          "The incremental run asks each resource only for rows changed since the previous run (plus a `deleted_since` pass where the endpoint has one): about one request per resource.",
        ].join("\n"),
      };
    });
  } finally {
    child.kill("SIGTERM");
  }
}
