import { EnvProvider } from "../../src/config/providers.js";
import { ConfigResolver } from "../../src/config/resolver.js";
import type { Destination } from "../../src/destinations/destination.js";
import { destinationNames, resolveDestination } from "../../src/destinations/registry.js";
import { PipelineError } from "../../src/util/errors.js";
import { type CaseName, conformanceSuite } from "./conformance.js";

/**
 * Live mode: the conformance suite against real warehouse accounts. A warehouse runs only when it
 * is named in SAGE_PIPELINE_LIVE (`bigquery,snowflake`, or `all`) and its credentials are in the
 * environment under dlt's own names (README, "Live tests"); otherwise its suite is skipped with the
 * reason. The opt-in keeps a developer's everyday DESTINATION__* variables from creating datasets
 * in a real account during `npm test`. Each test loads into a fresh dataset (`c<n>_<case>_<random>`)
 * that is dropped afterwards.
 */
const LIVE = (process.env.SAGE_PIPELINE_LIVE ?? "")
  .split(",")
  .map((s) => s.trim().toLowerCase())
  .filter(Boolean);

interface Warehouse {
  name: string;
  /** The dlt variables that must be set (one of each group), for the skip message. */
  needs: string;
  /** Drops one test's dataset through the destination's own client. */
  drop: (datasetName: string) => string[];
  skipCases?: Partial<Record<CaseName, string>>;
}

const WAREHOUSES: Warehouse[] = [
  {
    name: "bigquery",
    needs: "DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID, __PRIVATE_KEY, __CLIENT_EMAIL (or application default credentials)",
    drop: (d) => [`DROP SCHEMA IF EXISTS \`${d}\` CASCADE`, `DROP SCHEMA IF EXISTS \`${d}_staging\` CASCADE`],
  },
  {
    name: "snowflake",
    needs:
      "DESTINATION__SNOWFLAKE__CREDENTIALS=snowflake://user:password@account/database?warehouse=...&role=... (or __DATABASE, __USERNAME, __PASSWORD or __PRIVATE_KEY, __HOST, __WAREHOUSE, __ROLE)",
    drop: (d) => [`DROP SCHEMA IF EXISTS "${d.toUpperCase()}" CASCADE`],
  },
  {
    name: "redshift",
    needs:
      "DESTINATION__REDSHIFT__CREDENTIALS=redshift://user:password@cluster:5439/database (or __HOST, __USERNAME, __PASSWORD, __DATABASE)",
    drop: (d) => [`DROP SCHEMA IF EXISTS "${d}" CASCADE`],
  },
  {
    name: "databricks",
    needs: "DESTINATION__DATABRICKS__CREDENTIALS__SERVER_HOSTNAME, __HTTP_PATH, __ACCESS_TOKEN (and __CATALOG)",
    drop: (d) => [`DROP SCHEMA IF EXISTS \`${d}\` CASCADE`],
  },
];

/** The destination from the environment alone, or why this warehouse's live suite cannot run. */
async function live(w: Warehouse): Promise<{ destination?: Destination; skip?: string }> {
  if (!LIVE.includes(w.name) && !LIVE.includes("all")) {
    return { skip: `not asked for: set SAGE_PIPELINE_LIVE=${w.name} (or all) and ${w.needs}` };
  }
  if (!destinationNames().includes(w.name)) return { skip: `destination ${w.name} is not registered in this build` };
  try {
    return { destination: await resolveDestination(w.name, new ConfigResolver([new EnvProvider()])) };
  } catch (err) {
    // A ConfigError names the missing or bad keys, never their values.
    const why = err instanceof PipelineError ? err.message : String(err);
    return { skip: `${w.name} credentials are not usable (${why}): set ${w.needs}` };
  }
}

for (const w of WAREHOUSES) {
  const { destination, skip } = await live(w);
  conformanceSuite({
    name: `${w.name} (live account)`,
    skip,
    destination: () => destination!,
    nul: w.name === "redshift" ? "stripped" : "kept",
    ...(w.name === "redshift" ? { maxTextBytes: 65535 } : {}),
    ...(w.skipCases ? { skipCases: w.skipCases } : {}),
    async dropDataset(datasetName) {
      if (!destination) return;
      const client = await destination.connect({ datasetName, pipelineName: "live_cleanup", workingDir: process.cwd() });
      try {
        for (const sql of w.drop(datasetName)) await client.query(sql);
      } finally {
        await client.close();
      }
    },
  });
}
