import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { BIN, readDataset, runCli } from "./cli-helpers.js";

/**
 * `pipeline X drop` and the run's progress through the built CLI against the sandbox: a run
 * with piped stdout and COLUMNS=0 (plain progress lines), the drop's dry run, its refusals, the
 * drop itself and the run after it, which loads the dropped resource again to exactly the rows
 * it had; then the live view in a pseudo-terminal, sized and with 0 columns.
 */
const E2E_TIMEOUT_MS = 240_000;
const PIPELINE = "sage_accounting_pipeline";
const DB = `${PIPELINE}.duckdb`;
const DATASET = "sage_accounting_data";
const RESOURCES = "contacts,sales_invoices";

/** Every file of the working dir but the lock and trace, with its content: what a dry run must not touch. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, `${rel}${e.name}/`);
      else out[`${rel}${e.name}`] = readFileSync(p, "utf8");
    }
  };
  walk(dir, "");
  return out;
}

const hasScript = spawnSync("script", ["--version"]).status === 0;

describe("sage-pipeline pipeline X drop, and run progress", () => {
  let sb: Sandbox;
  let cwd: string;
  let env: Record<string, string>;
  let loaded: Record<string, number>;
  const workingDir = () => join(cwd, "data", "pipelines", PIPELINE);
  const counts = () => readDataset(cwd, DB, DATASET).rowCounts();

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, businesses: 2, scale: 0.02, seed: 11 });
    cwd = mkdtempSync(join(tmpdir(), "sp-drop-e2e-"));
    env = {
      SAGE_PIPELINE_DATA_DIR: join(cwd, "data"),
      SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL: sb.apiBaseUrl,
      SOURCES__SAGE_ACCOUNTING_SOURCE__TOKEN_URL: sb.tokenUrl,
      SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_ID: sb.options.clientId,
      SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_SECRET: sb.options.clientSecret,
      SOURCES__SAGE_ACCOUNTING_SOURCE__REFRESH_TOKEN: sb.issueTokens("readonly").refresh_token,
      COLUMNS: "0",
    };
  });
  afterAll(async () => {
    await sb.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it(
    "prints progress as plain lines on a pipe with COLUMNS=0: per resource, per step with its duration, no ANSI",
    async () => {
      const r = await runCli(["run", "--resources", RESOURCES], cwd, env);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain("1 load package(s) were loaded to destination duckdb");
      const lines = r.stderr.trimEnd().split("\n");
      const progress = lines.filter((l) => /^\[[\d.]+(ms|s)|^\[\d+m \d+s\]/.test(l));
      expect(progress.join("\n")).toMatch(/\] extract [\d.]+ started: 2 resource\(s\)$/m);
      expect(progress.join("\n")).toMatch(/\] extract: contacts done: \d+ items in \d+ pages, .*\d(ms|s)$/m);
      expect(progress.join("\n")).toMatch(
        /\] extract [\d.]+ done in [\d.]+m?s: [\d,]+ items in \d+ pages from 2 resource\(s\)$/m,
      );
      expect(progress.join("\n")).toMatch(/\] normalize [\d.]+ done in [\d.]+m?s: [\d,]+ rows in \d+ tables$/m);
      expect(progress.join("\n")).toMatch(/\] load [\d.]+ done in [\d.]+m?s: \d+ table\(s\)$/m);
      expect(r.stderr.includes("\u001b")).toBe(false);
      expect(r.stderr.includes("\r")).toBe(false);
      // Progress never reaches stdout.
      expect(r.stdout).not.toContain("] extract");
      loaded = await counts();
      expect(loaded.sales_invoices).toBeGreaterThan(0);
      expect(loaded.sales_invoices__invoice_lines).toBeGreaterThan(0);
    },
    E2E_TIMEOUT_MS,
  );

  it("refuses unknown resources with a suggestion, and without a terminal asks for --yes; --dry-run changes nothing", async () => {
    const before = snapshot(workingDir());
    const typo = await runCli(["pipeline", PIPELINE, "drop", "sales_invoice"], cwd, env);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain("has no resource sales_invoice, did you mean sales_invoices?");

    const dry = await runCli(["pipeline", PIPELINE, "drop", "sales_invoices", "--dry-run"], cwd, env);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("Selected resource(s): sales_invoices");
    expect(dry.stdout).toMatch(/Table\(s\) to drop \(nested tables first\): .*sales_invoices__invoice_lines, .*sales_invoices$/m);
    expect(dry.stdout).not.toMatch(/to drop.*\bcontacts\b/);
    expect(dry.stdout).toMatch(/^ {2}sources\.sage_accounting\.resources\.sales_invoices\.businesses\.[0-9a-f]{32}\.\w+$/m);
    expect(dry.stdout).toContain("dry run: nothing was changed");

    const asked = await runCli(["pipeline", PIPELINE, "drop", "sales_invoices"], cwd, env);
    expect(asked.status).toBe(2);
    expect(asked.stderr).toContain("there is no terminal to ask on");
    expect(asked.stderr).toContain("--yes");

    expect(snapshot(workingDir())).toEqual(before);
    expect(await counts()).toEqual(loaded);
  });

  it.skipIf(!hasScript)(
    "on a terminal it asks y/N, and anything but yes leaves everything as it was (skipped without util-linux script)",
    async () => {
      const before = snapshot(workingDir());
      const cmd = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} pipeline ${PIPELINE} drop sales_invoices`;
      const tty = await new Promise<string>((resolve, reject) => {
        const child = spawn("script", ["-qec", cmd, "/dev/null"], {
          cwd,
          env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env, TERM: "xterm" },
        });
        let text = "";
        let answered = false;
        child.stdout.on("data", (d: Buffer) => {
          text += d.toString();
          if (!answered && text.includes("[y/N]")) {
            answered = true;
            child.stdin.write("n\n");
          }
        });
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        child.on("error", reject);
        child.on("close", () => {
          clearTimeout(timer);
          resolve(text);
        });
      });
      expect(tty).toContain("Do you want to apply these changes? [y/N]");
      expect(tty).toContain("not applied: nothing was changed");
      expect(snapshot(workingDir())).toEqual(before);
      expect(await counts()).toEqual(loaded);
    },
    E2E_TIMEOUT_MS,
  );

  it(
    "drop --yes removes the tables, nested tables and cursors in the destination; the next run reloads exactly",
    async () => {
      const drop = await runCli(["pipeline", PIPELINE, "drop", "sales_invoices", "--yes"], cwd, env);
      expect(drop.status, drop.stderr).toBe(0);
      expect(drop.stdout).toMatch(/^dropped \d+ table\(s\) and the state of sales_invoices in dataset sage_accounting_data/m);

      const after = await counts();
      expect(Object.keys(after).filter((t) => t.startsWith("sales_invoices"))).toEqual([]);
      expect(after.contacts).toBe(loaded.contacts);
      const info = JSON.parse((await runCli(["pipeline", PIPELINE, "info", "--json"], cwd, env)).stdout) as {
        cursors: Array<{ resource: string }>;
        packages: { normalized: number };
      };
      expect(info.packages.normalized).toBe(0);
      expect(info.cursors.some((c) => c.resource === "sales_invoices")).toBe(false);
      expect(info.cursors.some((c) => c.resource === "contacts")).toBe(true);

      const run = await runCli(["run", "--resources", RESOURCES, "--json", "--no-progress"], cwd, env);
      expect(run.status, run.stderr).toBe(0);
      const rowCounts = (JSON.parse(run.stdout) as { rowCounts: Record<string, number> }).rowCounts;
      // Read again in full: every invoice and line, once.
      expect(rowCounts.sales_invoices).toBe(loaded.sales_invoices);
      expect(rowCounts.sales_invoices__invoice_lines).toBe(loaded.sales_invoices__invoice_lines);
      expect(await counts()).toEqual(loaded);
    },
    E2E_TIMEOUT_MS,
  );

  it.skipIf(!hasScript)(
    "in a terminal: a live view on stderr with stdout left to the data; with 0 columns, plain lines (skipped without util-linux script)",
    async () => {
      // Asynchronous: the sandbox answers from this process, so it must not be blocked.
      const shell = (cols: number) =>
        new Promise<{ tty: string; json: { pipelineName: string } }>((resolve, reject) => {
          const out = join(cwd, `run-${cols}.json`);
          const cmd = `stty cols ${cols} rows 40; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run --resources ${RESOURCES} --json > ${JSON.stringify(out)}`;
          const child = spawn("script", ["-qec", cmd, "/dev/null"], {
            cwd,
            env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env, COLUMNS: String(cols), TERM: "xterm" },
          });
          let tty = "";
          child.stdout.on("data", (d: Buffer) => (tty += d.toString()));
          const timer = setTimeout(() => child.kill("SIGKILL"), E2E_TIMEOUT_MS / 2);
          child.on("error", reject);
          child.on("close", (status) => {
            clearTimeout(timer);
            if (status !== 0) reject(new Error(`script exited ${status}: ${tty}`));
            else resolve({ tty, json: JSON.parse(readFileSync(out, "utf8")) as { pipelineName: string } });
          });
        });
      const live = await shell(100);
      expect(live.json.pipelineName).toBe(PIPELINE);
      expect(live.tty).toContain("\u001b[?25l"); // listr2 hid the cursor: a live frame
      expect(live.tty).toMatch(/sage_accounting_pipeline → duckdb: done in/);
      expect(live.tty).toMatch(/load [\d.]+ done in/);

      const zero = await shell(0);
      expect(zero.json.pipelineName).toBe(PIPELINE);
      expect(zero.tty.includes("\u001b")).toBe(false);
      expect(zero.tty).toMatch(/^\[[^\]]+\] load [\d.]+ done in .*$/m);
    },
    E2E_TIMEOUT_MS,
  );
});
