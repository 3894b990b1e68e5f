import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

/** The built CLI (`npm run bench` compiles bench/ only; `npm run build` makes dist/). */
export const CLI = join(import.meta.dirname, "..", "..", "dist", "cli", "main.js");

export interface SandboxProcess {
  url: string;
  child: ChildProcess;
}

/**
 * `sage-pipeline sandbox` in its own process, so that its page rendering does not share the
 * event loop (or the CPU profile, or the peak RSS) of what is measured.
 */
export async function sandboxProcess(o: {
  scale: number;
  latencyMs: number;
  businesses?: number;
  tokenTtlSeconds?: number;
}): Promise<SandboxProcess> {
  const args = [CLI, "sandbox", "--port", "0", "--businesses", String(o.businesses ?? 1), "--scale", String(o.scale)];
  args.push("--latency-ms", String(o.latencyMs));
  if (o.tokenTtlSeconds !== undefined) args.push("--token-ttl", String(o.tokenTtlSeconds));
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, RUNTIME__LOG_LEVEL: "warn" },
  });
  let err = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.on("exit", () => {
      reject(new Error(`sandbox exited: ${err}`));
    });
  });
  return { url, child };
}

/** The sandbox admin answers the benches read (see src/sandbox/SANDBOX.md). */
export interface AdminAnswer {
  access_token: string;
  totalRequests: number;
  businesses: Array<{ id: string }>;
}

export async function admin(url: string, path: string, body?: unknown): Promise<AdminAnswer> {
  const res = await fetch(
    `${url}/__sandbox/${path}`,
    body === undefined ? {} : { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } },
  );
  return (await res.json()) as AdminAnswer;
}
