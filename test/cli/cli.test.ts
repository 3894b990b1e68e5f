import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp-pipeline.js";

const bin = join(import.meta.dirname, "..", "..", "dist", "cli", "main.js");
const dir = tempDir("sp-cli-");

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bin, ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, SAGE_PIPELINE_DATA_DIR: join(dir, "data"), ...env },
    timeout: 60_000,
  });
}

describe("sage-pipeline CLI", () => {
  it("prints help and version", () => {
    const help = cli(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: sage-pipeline");
    expect(help.stdout).toContain("run [options] [source]");
    const v = cli(["--version"]);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("exits 2 with a clear message on bad usage", () => {
    const r = cli(["runn"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'runn'");
    const bad = cli(["run", "./missing.js"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/missing\.js does not exist/);
    const badDest = cli(["run", "./src.mjs", "--destination", "oracle"]);
    expect(badDest.status).toBe(2);
  });

  it("runs a source module into DuckDB and reports rows per table", () => {
    const distIndex = join(import.meta.dirname, "..", "..", "dist", "index.js");
    writeFileSync(
      join(dir, "src.mjs"),
      `
import { resource, source } from ${JSON.stringify(distIndex)};
export default source("shop", [
  resource(function* () { yield [{ id: 1, items: [{ sku: "A" }, { sku: "B" }] }, { id: 2, items: [] }]; },
    { name: "orders", primaryKey: "id", writeDisposition: "merge" }),
]);
`,
    );
    const r = cli(["run", "./src.mjs", "--pipeline-name", "shop_pipe", "--no-progress"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("1 load package(s) were loaded to destination duckdb and into dataset shop_pipe_dataset");
    expect(r.stdout).toMatch(/orders\s+2/);
    expect(r.stdout).toMatch(/orders__items\s+2/);
    const json = cli(["run", "./src.mjs", "--pipeline-name", "shop_pipe", "--json", "--no-progress"]);
    expect((JSON.parse(json.stdout) as { rowCounts: unknown }).rowCounts).toEqual({ orders: 2, orders__items: 2 });
    const info = cli(["pipeline", "shop_pipe", "info"]);
    expect(info.stdout).toContain("packages: 0 extracted, 0 normalized (pending), 2 loaded");
    const unknown = cli(["run", "./src.mjs", "--resources", "nope", "--no-progress"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("choose from: orders");
  });

  it("init writes config and secrets templates the resolver reads, secrets git-ignored and 0600", async () => {
    const { mkdtempSync, statSync, readFileSync: read } = await import("node:fs");
    const here = mkdtempSync(join(dir, "init-"));
    const run = (args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], {
        cwd: here,
        encoding: "utf8",
        env: { ...process.env, SAGE_PIPELINE_DATA_DIR: join(here, "data") },
      });
    const r = run(["init"]);
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(join(here, ".dlt", "secrets.toml")).mode & 0o777).toBe(0o600);
    expect(read(join(here, ".gitignore"), "utf8")).toContain(".dlt/secrets.toml");
    const again = run(["init"]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("--force");
    // the templates parse: running now fails on the empty credentials, naming what to do
    const noCreds = run(["run", "--no-progress"]);
    expect(noCreds.status).toBe(2);
    expect(noCreds.stderr).toContain("auth login");
  });
});
