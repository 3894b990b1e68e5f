import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cycles, importGraph, reachable } from "./import-graph.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SRC = join(ROOT, "src");
const DIST = join(ROOT, "dist");
const inSandbox = (file: string) => file.startsWith(join(SRC, "sandbox") + "/");
const rel = (file: string) => relative(ROOT, file);

/**
 * Every module URL a child node process loads, recorded by a module `load` hook (node:module's
 * register): the run-time truth, whatever the source says.
 */
function loadedModules(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "sp-loads-"));
  const file = join(dir, "loads.txt");
  const hooks = `import { appendFileSync } from "node:fs";
export async function load(url, context, next) { appendFileSync(process.env.SAGE_TEST_LOADS, url + "\\n"); return next(url, context); }`;
  const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  try {
    const r = spawnSync(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(register)}`, ...args], {
      cwd: ROOT,
      env: { ...process.env, SAGE_TEST_LOADS: file },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    return readFileSync(file, "utf8").split("\n").filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the sandbox is a feature behind its own entry point", () => {
  const graph = importGraph(SRC);

  it("has no import cycles inside src/sandbox, counting type-only imports", () => {
    const sandboxOnly = new Map([...graph].filter(([file]) => inSandbox(file)));
    expect(sandboxOnly.size).toBeGreaterThan(50);
    expect(cycles(sandboxOnly, SRC)).toEqual([]);
  });

  it("is reached from the library root, run, show and the CLI's start-up by no static import", () => {
    for (const entry of ["index.ts", "cli/main.ts", "cli/commands/run.ts", "cli/commands/show.ts", "sage/index.ts"]) {
      const loaded = [...reachable(graph, [join(SRC, entry)])];
      expect(loaded.length, entry).toBeGreaterThan(5);
      expect(loaded.filter(inSandbox).map(rel), entry).toEqual([]);
    }
    // Outside the sandbox itself, only `demo` and `sandbox` import it, and only lazily.
    const importers = [...graph]
      .filter(([file]) => !inSandbox(file))
      .flatMap(([file, edges]) => edges.filter((e) => inSandbox(e.target)).map((e) => ({ file: rel(file), dynamic: e.dynamic })));
    expect(importers.sort((a, b) => a.file.localeCompare(b.file))).toEqual([
      { file: "src/cli/commands/demo.ts", dynamic: true },
      { file: "src/cli/commands/sandbox.ts", dynamic: true },
    ]);
  });

  it("keeps the spec's definitions (the sandbox's part of the catalog) out of the Sage source", () => {
    const loaded = reachable(graph, [join(SRC, "sage/index.ts")]);
    expect(loaded.has(join(SRC, "sage/catalog/endpoints.generated.ts"))).toBe(true);
    expect([...loaded].filter((f) => f.includes("definitions.generated")).map(rel)).toEqual([]);
    expect(reachable(graph, [join(SRC, "sandbox/index.ts")]).has(join(SRC, "sandbox/spec/definitions.generated.ts"))).toBe(true);
  });

  it.skipIf(!existsSync(join(DIST, "index.js")))(
    "loads no module under dist/sandbox/ at run time for the library root or the CLI (dist/ is built by npm test)",
    () => {
      const underSandbox = (urls: string[]) => urls.filter((u) => u.includes("/dist/sandbox/"));
      // The hook sees the sandbox when it is loaded: the check can fail.
      const control = loadedModules(["--input-type=module", "-e", 'await import("sage-accounting-pipeline/sandbox")']);
      expect(underSandbox(control).length).toBeGreaterThan(50);

      const root = loadedModules(["--input-type=module", "-e", 'await import("sage-accounting-pipeline")']);
      expect(root.some((u) => u.endsWith("/dist/index.js"))).toBe(true);
      expect(underSandbox(root)).toEqual([]);
      for (const argv of [["--help"], ["run", "--help"], ["show", "--help"], ["pipeline", "--help"]]) {
        const cli = loadedModules([join(DIST, "cli/main.js"), ...argv]);
        expect(cli.some((u) => u.endsWith("/dist/cli/commands/run.js"))).toBe(true);
        expect(underSandbox(cli), argv.join(" ")).toEqual([]);
        expect(
          cli.filter((u) => u.includes("definitions.generated")),
          argv.join(" "),
        ).toEqual([]);
      }
    },
  );

  it.skipIf(!existsSync(join(DIST, "index.js")))("exports startSandbox from the subpath, not from the root", () => {
    const r = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const root = await import("sage-accounting-pipeline");
         const sandbox = await import("sage-accounting-pipeline/sandbox");
         const sb = await sandbox.startSandbox({ scale: 0.01 });
         const invoices = sb.store.count(0, "sales_invoices");
         await sb.close();
         console.log(JSON.stringify({ root: "startSandbox" in root, sandbox: typeof sandbox.startSandbox, invoices }));`,
      ],
      { cwd: ROOT, encoding: "utf8", timeout: 30_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ root: false, sandbox: "function", invoices: 50 });
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, unknown> };
    expect(pkg.exports["./sandbox"]).toEqual({ types: "./dist/sandbox/index.d.ts", import: "./dist/sandbox/index.js" });
  });
});
