import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { BIN, readDataset } from "../e2e/cli-helpers.js";

export const SLOW_SOURCE = join(import.meta.dirname, "..", "fixtures", "slow-source.mjs");

export interface Running {
  child: ChildProcess;
  /** Resolves when the process ended, with what it printed. */
  done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves once stderr or stdout has shown `text`. */
  saw: (text: string) => Promise<void>;
}

/** `sage-pipeline run <slow source>` in `cwd` as its own process. */
export function startRun(cwd: string, env: Record<string, string>, extra: string[] = []): Running {
  const child = spawn(process.execPath, [BIN, "run", SLOW_SOURCE, "--no-progress", "--log-level", "info", ...extra], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: cwd, SAGE_PIPELINE_DATA_DIR: join(cwd, "data"), ...env },
  });
  let stdout = "";
  let stderr = "";
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (stdout.includes(w.text) || stderr.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    check();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    check();
  });
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => {
      child.on("close", (status, signal) => {
        resolve({ status, signal, stdout, stderr });
      });
    },
  );
  const saw = (text: string) =>
    new Promise<void>((resolve, reject) => {
      waiters.push({ text, resolve });
      check();
      void done.then(() => {
        reject(new Error(`the run ended without printing ${JSON.stringify(text)}:\n${stderr}`));
      });
    });
  return { child, done, saw };
}

/** Every `.tmp` file or folder under `dir`. */
export function tmpLeftovers(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name.endsWith(".tmp")) out.push(p);
    if (statSync(p).isDirectory()) out.push(...tmpLeftovers(p));
  }
  return out;
}

/** What the slow source's run left in `<cwd>/sage_pipeline.duckdb`. */
export async function slowData(cwd: string) {
  const ds = readDataset(cwd, "sage_pipeline.duckdb", "sage_pipeline_dataset");
  return {
    items: await ds.sql("select id, page from items order by id").rows(),
    tags: await ds.sql("select i.id, t.t from items i join items__tags t on t._dlt_root_id = i._dlt_id order by i.id").rows(),
  };
}
