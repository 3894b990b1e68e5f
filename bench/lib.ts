import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface BenchResult {
  title: string;
  markdown: string;
}

export async function time<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, value };
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "sp-bench-"));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/**
 * Runs a measured side in its own process (so peak RSS and CPU are its own) and parses the one
 * JSON line it prints last. Fails with the child's stderr when it exits non-zero.
 */
export async function runChild(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ value: unknown; seconds: number }> {
  const { spawn } = await import("node:child_process");
  const t0 = process.hrtime.bigint();
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (code !== 0) throw new Error(`${command} ${args[0] ?? ""} exited ${String(code)}: ${err.slice(-2000)}`);
  const last = out.trim().split("\n").at(-1) ?? "";
  return { value: JSON.parse(last) as unknown, seconds };
}

/** Peak RSS in kilobytes (getrusage's unit) as MiB text. */
export function mib(kb: number): string {
  return `${fmt(kb / 1024)} MiB`;
}
