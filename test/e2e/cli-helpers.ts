import { spawn } from "node:child_process";
import { join } from "node:path";
import { ConfigResolver, EnvProvider } from "../../src/config/index.js";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { Pipeline } from "../../src/pipeline/index.js";

export const BIN = join(import.meta.dirname, "..", "..", "dist", "cli", "main.js");

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI as a user would, in `cwd`, with only the given env on top of PATH/HOME. */
export function runCli(args: string[], cwd: string, env: Record<string, string>, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Read what a CLI run loaded into `<cwd>/<file>`. */
export function readDataset(cwd: string, file: string, dataset: string) {
  const p = new Pipeline({
    pipelineName: "reader",
    datasetName: dataset,
    destination: duckdb({ credentials: join(cwd, file) }),
    pipelinesDir: join(cwd, ".reader"),
    config: new ConfigResolver([new EnvProvider({})]),
    restoreFromDestination: false,
  });
  return p.dataset();
}
