import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SnowflakeDestination, type SnowflakeOptions } from "../../src/destinations/snowflake/index.js";
import { freePort, launchServer, repoRoot } from "./emulators.js";

/**
 * fakesnow's server (scripts/test-infra/fakesnow-server.py, from the pinned .venv-fakesnow/ that
 * scripts/test-infra/setup-fakesnow.sh makes) on a free 127.0.0.1 port, stopped by the test that
 * started it. The wrapper changes only how results are encoded (JSON rowsets, which the Node SDK
 * reads, instead of fakesnow's Arrow); the SQL runs on fakesnow's DuckDB. Where the venv is
 * missing, `fakesnowSkipReason()` says so and what to run; tests skip with that reason.
 */
const repo = repoRoot(dirname(fileURLToPath(import.meta.url)));
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
export const FAKESNOW_SESSION_SETUP = [`CREATE DATABASE IF NOT EXISTS ${FAKESNOW_DATABASE}`, `USE DATABASE ${FAKESNOW_DATABASE}`];

export async function startFakesnow(timeoutMs = 60_000): Promise<Fakesnow> {
  const port = await freePort();
  const accessUrl = `http://127.0.0.1:${port}`;
  // Any answer means it listens (a GET of the login route is a 405).
  const { stop } = await launchServer(
    join(venv, "bin", "python"),
    [SERVER, String(port)],
    {},
    `${accessUrl}/session/v1/login-request`,
    timeoutMs,
  );
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
