import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { ConfigResolver } from "../../config/resolver.js";
import { duckdb } from "../../destinations/duckdb/index.js";
import { Pipeline } from "../../pipeline/pipeline.js";
import { sageAccountingSource } from "../../sage/index.js";
import { DEMO_DATASET, DEMO_PIPELINE, DemoFiles } from "../demo-files.js";
import { stopOnSignals } from "../interrupt.js";
import { RunProgress } from "../progress.js";
import { printRowCounts } from "../tables.js";

/**
 * `npm run demo`: the built-in Sage sandbox, started in this process, loaded into
 * ./sage_accounting_pipeline.duckdb through the real OAuth refresh flow, as a user's run would be.
 * Its working dir is apart from real pipelines (`<data dir>/demo`), so a demo never mixes its
 * state with a real Sage login's, and each demo starts afresh (see DemoFiles).
 */
export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("load the built-in Sage sandbox into ./sage_accounting_pipeline.duckdb")
    .option("--businesses <n>", "businesses in the sandbox", "2")
    .option("--scale <x>", "sandbox data size (1 ≈ 5,000 sales invoices per business)", "0.3")
    .option("--resources <list>", "comma-separated resource names to load (default: the source's defaults)")
    .option("--no-progress", "no progress display on stderr")
    .action(async (f: { businesses: string; scale: string; resources?: string; progress: boolean }) => {
      const files = new DemoFiles();
      files.reset();
      // Imported here, not at the top: only `demo` and `sandbox` load the sandbox's 5k lines.
      const { startSandbox } = await import("../../sandbox/index.js");
      const sb = await startSandbox({ port: 0, businesses: Number(f.businesses), scale: Number(f.scale) });
      const tokenDir = mkdtempSync(join(tmpdir(), "sage-demo-"));
      try {
        const info = sb.info();
        process.stderr.write(`Sage sandbox on ${sb.url}: ${info.businesses.map((b) => b.name).join(", ")}\n`);
        const tokens = sb.issueTokens("readonly");
        const config = ConfigResolver.fromCwd();
        const src = sageAccountingSource(
          {
            baseUrl: sb.apiBaseUrl,
            tokenUrl: sb.tokenUrl,
            clientId: info.clientId,
            clientSecret: sb.options.clientSecret,
            refreshToken: tokens.refresh_token,
            tokenStore: join(tokenDir, "tokens.json"),
            ...(f.resources ? { resources: f.resources.split(",").map((r) => r.trim()) } : {}),
          },
          config,
        );
        const progress = new RunProgress(f.progress);
        const stops = stopOnSignals();
        files.claim();
        const p = new Pipeline({
          pipelineName: DEMO_PIPELINE,
          datasetName: DEMO_DATASET,
          // Explicit: a `[destination.duckdb]` of the user's .dlt/ must not send demo rows into their file.
          destination: duckdb({ credentials: files.duckdbFile }),
          pipelinesDir: files.pipelinesDir,
          config,
          onProgress: progress.onEvent,
          signal: stops.signal,
        });
        const loaded = await progress.wrap("sage sandbox → duckdb", () => p.run(src)).finally(stops.dispose);
        process.stdout.write(`${String(loaded)}\n\nRows per table in the dataset, and loaded by this run:\n`);
        printRowCounts(await p.dataset().rowCounts(), loaded.rowCounts);
        process.stdout.write(
          "\nThe data is in ./sage_accounting_pipeline.duckdb, dataset (schema) sage_accounting_data: open it with any DuckDB client,\nor look around with `npx sage-pipeline show --demo`.\n",
        );
      } finally {
        rmSync(tokenDir, { recursive: true, force: true });
        await sb.close();
      }
    });
}
