import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SnowflakeDestination, type SnowflakeOptions } from "../../src/destinations/snowflake/index.js";

/**
 * fakesnow's server (scripts/test-infra/fakesnow-server.py, from the pinned .venv-fakesnow/ that
 * scripts/test-infra/setup-fakesnow.sh makes) on a free 127.0.0.1 port, stopped by the test that
 * started it. The wrapper changes only how results are encoded (JSON rowsets, which the Node SDK
 * reads, instead of fakesnow's Arrow); the SQL runs on fakesnow's DuckDB. Where the venv is
 * missing, `fakesnowSkipReason()` says so and what to run; tests skip with that reason.
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const venv = process.env.VENV_FAKESNOW_DIR ?? join(repo, ".venv-fakesnow");
const SERVER = join(repo, "scripts", "test-infra", "fakesnow-server.py");

/** The database every test session logs in to (fakesnow makes it on the first session's setup). */
export const FAKESNOW_DATABASE = "SAGE_TEST";

export function fakesnowSkipReason(): string | undefined {
  if (process.env.SAGE_SKIP_EMULATORS) return "SAGE_SKIP_EMULATORS is set";
  if (!existsSync(join(venv, "bin", "python")) || !existsSync(join(venv, ".requirements.sha256"))) {
    return `fakesnow is not installed in ${venv}: run \`bash scripts/test-infra/setup-fakesnow.sh\` (needs python3 with venv)`;
  }
  return undefined;
}

async function freePort(): Promise<number> {
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

export interface Fakesnow {
  /** `http://127.0.0.1:<port>` */
  accessUrl: string;
  /** A Snowflake destination pointed at this server (any password: fakesnow checks none). */
  destination(options?: Omit<SnowflakeOptions, "credentials" | "endpoint">): SnowflakeDestination;
  stop(): Promise<void>;
}

/**
 * What a session runs first on fakesnow instead of SNOWFLAKE_SESSION_SETUP: fakesnow implements no
 * ALTER SESSION (it answers in UTC and resolves names case-insensitively, as those settings make
 * Snowflake do), and the test database is made here (on Snowflake it exists before a pipeline runs).
 */
const FAKESNOW_SESSION_SETUP = [`CREATE DATABASE IF NOT EXISTS ${FAKESNOW_DATABASE}`, `USE DATABASE ${FAKESNOW_DATABASE}`];

export async function startFakesnow(timeoutMs = 60_000): Promise<Fakesnow> {
  const port = await freePort();
  const accessUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(join(venv, "bin", "python"), [SERVER, String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr?.on("data", (b: Buffer) => {
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
    if (state.exited) throw new Error(`fakesnow exited at start:\n${log}`);
    try {
      // Any HTTP answer means it listens (a GET of the login route is a 405).
      const r = await fetch(`${accessUrl}/session/v1/login-request`, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`fakesnow did not answer on ${accessUrl} within ${timeoutMs / 1000} s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    accessUrl,
    destination: (options = {}) =>
      new SnowflakeDestination({
        ...options,
        credentials: { host: "fakesnow", username: "loader", password: "fakesnow-password", database: FAKESNOW_DATABASE },
        // fakesnow has no REMOVE: the staged files stay in its temp bucket.
        keepStagedFiles: true,
        endpoint: { accessUrl, sessionSetup: FAKESNOW_SESSION_SETUP },
      }),
    stop,
  };
}
