import type { Command } from "commander";
import { ConfigResolver } from "../../config/resolver.js";
import { startDashboard } from "../../dashboard/index.js";
import { resolvePipelinesDir } from "../../pipeline/config.js";
import { openBrowser } from "../../sage/auth/login.js";
import { ConfigError } from "../../util/errors.js";
import { DemoFiles } from "../demo-files.js";

/** `sage-pipeline show [pipeline]`: the read-only dashboard on 127.0.0.1. Run it from the folder
 * the pipeline runs in, so that destination credentials resolve the same way. */
export function registerShow(program: Command): void {
  program
    .command("show")
    .description("open a read-only dashboard of the local pipelines: tables, rows, loads, state, schema, a query box")
    .argument("[pipeline]", "pipeline to open first")
    .option("--port <n>", "port on 127.0.0.1", "8765")
    .option("--no-browser", "only print the URL")
    .option("--demo", "show the pipelines of `sage-pipeline demo` (kept apart from real ones)")
    .action(async (name: string | undefined, f: { port: string; browser: boolean; demo?: boolean }) => {
      const port = Number(f.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new ConfigError(`--port must be a port number, got ${f.port}`);
      const config = ConfigResolver.fromCwd();
      const pipelinesDir = f.demo ? new DemoFiles().pipelinesDir : resolvePipelinesDir(config);
      const dash = await startDashboard({ pipelinesDir, config, port });
      const url = name ? `${dash.url}/?pipeline=${encodeURIComponent(name)}` : dash.url;
      process.stderr.write(`Dashboard on ${url} (Ctrl-C stops)\n`);
      if (f.browser) openBrowser(url);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => {
          resolve();
        });
        process.once("SIGTERM", () => {
          resolve();
        });
      });
      await dash.close();
    });
}
