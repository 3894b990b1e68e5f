import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The Google emulators from the pinned test venv (scripts/test-infra/setup-python.sh): bqemulator
 * (BigQuery's REST API, the one @google-cloud/bigquery talks) and gcp-storage-emulator (GCS's JSON
 * API). Each starts on a free 127.0.0.1 port and is stopped by the test that started it. Where the
 * venv is missing, `skip` says so and what to run; tests skip with that reason, never fail.
 */
/** The checkout: the nearest folder up with a package.json (benchmarks run this file compiled under build/). */
export function repoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return resolve(from, "..", "..");
  }
}
const repo = repoRoot(dirname(fileURLToPath(import.meta.url)));
const venv = process.env.VENV_TEST_DIR ?? join(repo, ".venv-test");
const SETUP = "run `bash scripts/test-infra/setup-python.sh` (needs python3 with venv)";

export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  stop(): Promise<void>;
}

export interface GcsEmulator extends Emulator {
  bucket: string;
  /** The emulator's storage root: objects are the files `<root>/<bucket>/<key>`. */
  objectRoot: string;
}

export interface BigQueryEmulator extends Emulator {
  projectId: string;
}

/** Why the emulators cannot run here, or undefined when they can. */
export function emulatorSkipReason(): string | undefined {
  if (process.env.SAGE_SKIP_EMULATORS) return `SAGE_SKIP_EMULATORS is set`;
  for (const bin of ["bqemulator", "gcp-storage-emulator"]) {
    if (!existsSync(join(venv, "bin", bin))) return `${bin} is not installed in ${venv}: ${SETUP}`;
  }
  if (!existsSync(join(venv, "duckdb-home", ".extension-ready"))) {
    return `the DuckDB spatial extension bqemulator needs is not in ${venv}/duckdb-home: ${SETUP}`;
  }
  return undefined;
}

/** A port nothing listens on now (the OS picks it), for a test server on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => {
        ok(port);
      });
    });
  });
}

/**
 * Start `command` (a test server) and wait until `probeUrl` answers below 500; the process is the
 * caller's to stop. A server that exits or never answers fails with the tail of its stderr.
 */
export async function launchServer(
  command: string,
  args: string[],
  env: Record<string, string>,
  probeUrl: string,
  timeoutMs = 90_000,
): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const bin = basename(command);
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr.on("data", (b: Buffer) => {
    log = (log + b.toString()).slice(-4000);
  });
  const state = { exited: false };
  const exit = new Promise<void>((ok) =>
    child.once("exit", () => {
      state.exited = true;
      ok();
    }),
  );
  const stop = async () => {
    if (!state.exited) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exit;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (state.exited) throw new Error(`${bin} exited at start:\n${log}`);
    try {
      const r = await fetch(probeUrl, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      if (r.status < 500) return { child, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${bin} did not answer ${probeUrl} within ${timeoutMs / 1000} s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** gcp-storage-emulator with one bucket, objects on disk in a temp folder removed at stop. */
export async function startGcsEmulator(bucket = "test-bucket"): Promise<GcsEmulator> {
  const dataDir = mkdtempSync(join(tmpdir(), "gcs-emulator-"));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const { stop } = await launchServer(
    join(venv, "bin", "gcp-storage-emulator"),
    ["-d", dataDir, "start", "--host", "127.0.0.1", "--port", String(port), "--default-bucket", bucket, "-q"],
    {},
    `${endpoint}/storage/v1/b/${bucket}`,
  );
  return {
    endpoint,
    bucket,
    objectRoot: join(dataDir, ".cloudstorage"),
    async stop() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * bqemulator, in memory. `gcsRoot` maps `gs://bucket/key` in load jobs to `<gcsRoot>/bucket/key`
 * (bqemulator reads gs:// URIs from a local folder, so pointing it at the GCS emulator's storage
 * root lets a load job read what was uploaded to the GCS emulator).
 */
export async function startBigQueryEmulator(options: { projectId?: string; gcsRoot?: string } = {}): Promise<BigQueryEmulator> {
  const projectId = options.projectId ?? "test-project";
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const home = join(venv, "duckdb-home");
  if (options.gcsRoot) mkdirSync(options.gcsRoot, { recursive: true });
  const { stop } = await launchServer(
    join(venv, "bin", "bqemulator"),
    ["start", "--rest-port", String(port), "--grpc-port", "0", "--project", projectId, "--log-level", "warning"],
    { HOME: home, ...(options.gcsRoot ? { BQEMU_GCS_LOCAL_ROOT: options.gcsRoot } : {}) },
    `${endpoint}/bigquery/v2/projects/${projectId}/datasets`,
  );
  return { endpoint, projectId, stop };
}
