import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { DeploySecret } from "../../src/deploy/index.js";
import { BIN } from "../e2e/cli-helpers.js";

export const REPO = join(import.meta.dirname, "..", "..");

/**
 * Install this package into `dir` as `npm ci` would: node_modules/sage-accounting-pipeline (a
 * link to this checkout, whose dist/ the test run built) and its `bin` linked into
 * node_modules/.bin, marked executable as npm marks it.
 */
export function installPackage(dir: string): void {
  const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { name: string; bin: Record<string, string> };
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  const linked = join(dir, "node_modules", pkg.name);
  if (!existsSync(linked)) symlinkSync(REPO, linked, "dir");
  for (const [name, target] of Object.entries(pkg.bin)) {
    chmodSync(join(REPO, target), 0o755);
    const at = join(dir, "node_modules", ".bin", name);
    if (!existsSync(at)) symlinkSync(join("..", pkg.name, target), at);
  }
}

/** A user's project: package.json depending on the package, a lock file, `.dlt/` files. */
export function makeProject(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "sp-deploy-"));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "my-sage-project", private: true, dependencies: { "sage-accounting-pipeline": "^0.1.0" } }, null, 2),
  );
  writeFileSync(join(dir, "package-lock.json"), JSON.stringify({ name: "my-sage-project", lockfileVersion: 3, packages: {} }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/**
 * What a fresh machine gets of the project: the committed files only (`paths`, never
 * .dlt/secrets.toml), then `npm ci`.
 */
export function checkout(project: string, paths: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "sp-checkout-"));
  for (const p of paths) {
    if (!existsSync(join(project, p))) continue;
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    copyFileSync(join(project, p), join(dir, p));
  }
  installPackage(dir);
  return dir;
}

export interface DeployJson {
  files: string[];
  secrets: DeploySecret[];
  settings: string[];
  notes: string[];
}

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A command line as the generated file states it, run by the shell with exactly `env` (plus PATH). */
export function runShell(line: string, cwd: string, env: Record<string, string>, timeoutMs = 120_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", line], {
      cwd,
      env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`, ...env },
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

export { BIN };

export interface Started {
  done: Promise<Ran>;
  kill: (signal: NodeJS.Signals) => void;
  /** Resolves once the output shows `re`; returns the match. */
  saw: (re: RegExp, timeoutMs?: number) => Promise<RegExpExecArray>;
}

/** A container's process: `command` exec'd directly (as an image's ENTRYPOINT is), with exactly `env` (plus PATH). */
export function startProcess(command: string, args: readonly string[], cwd: string, env: Record<string, string>): Started {
  const child = spawn(command, args, { cwd, env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Ran>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => {
      resolve({ status, stdout, stderr });
    });
  });
  const saw = async (re: RegExp, timeoutMs = 60_000) => {
    const t0 = Date.now();
    for (;;) {
      const m = re.exec(stdout + stderr);
      if (m) return m;
      if (child.exitCode !== null) throw new Error(`process ended without ${String(re)}:\n${stderr}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`no ${String(re)} within ${timeoutMs} ms:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { done, kill: (signal) => child.kill(signal), saw };
}

/** A Dockerfile's instructions: comments and blank lines dropped, continuations joined. */
export function dockerInstructions(text: string): Array<{ op: string; args: string }> {
  const out: Array<{ op: string; args: string }> = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = pending + line;
    pending = "";
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(whole);
    if (!m) throw new Error(`not a Dockerfile instruction: ${whole}`);
    out.push({ op: m[1]!.toUpperCase(), args: m[2]! });
  }
  return out;
}

/** `ENV A=1 B=2` lines as variables. */
export function dockerEnv(instructions: Array<{ op: string; args: string }>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of instructions.filter((x) => x.op === "ENV")) {
    for (const pair of i.args.split(/\s+/)) {
      const eq = pair.indexOf("=");
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}
