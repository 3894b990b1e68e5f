import { createHash } from "node:crypto";
import { inflateSync } from "node:zlib";
import type { DestinationClient, ResultRow } from "../destinations/index.js";
import { ConfigError } from "../util/errors.js";
import { type DataTestDefinition, type ModelDefinition, loadDataTests, loadModels } from "./definitions.js";
import { type DataTestFailure, type DataTestResult, type ModelBuild, ModelsRunInfo } from "./run-info.js";
import { type ModelSession, inModelTransaction } from "./sql-session.js";

export interface RunModelsOptions {
  /** The pipeline whose state says when the data was read (the default as-of date). */
  pipelineName: string;
  /** `YYYY-MM-DD` for the aging models; default: the date of the latest load as Sage's server saw it. */
  asOfDate?: string;
  /** Rebuild incremental models from scratch. */
  fullRefresh?: boolean;
  /** Another folder of model SQL (tests). */
  modelsDir?: string;
}

/** Per model: the hash of its SQL and the newest load it has seen. */
const STATE_TABLE = "_sage_models";
/** The data tests' latest results, for the dashboard and for a person looking into a failure. */
export const RESULTS_TABLE = "sage__data_tests";
const PARAMS = "_sage_models_params";
const SELECT_VIEW = "_sage_model_select";
const CHANGED = "_sage_changed_keys";
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const quote = (id: string) => `"${id.replace(/"/g, '""')}"`;
/** A result value as text (drivers give decimals and ids as strings, counts as numbers). */
const str = (v: unknown): string | null =>
  v === null || v === undefined
    ? null
    : typeof v === "string"
      ? v
      : typeof v === "number" || typeof v === "bigint"
        ? v.toString()
        : JSON.stringify(v);
const text = (v: string) => `'${v.replace(/'/g, "''")}'`;

/**
 * Build every model in dependency order and run the data tests, all in one transaction on the
 * dataset (holding the load lock): readers see the previous books or the new ones, never half.
 * The tests' results are committed with the models (table `sage__data_tests`), failed or not.
 */
export async function runModels(
  client: DestinationClient,
  destinationName: string,
  options: RunModelsOptions,
): Promise<ModelsRunInfo> {
  if (options.asOfDate !== undefined && (!DATE.test(options.asOfDate) || Number.isNaN(Date.parse(options.asOfDate)))) {
    throw new ConfigError(`the as-of date must be YYYY-MM-DD, got ${JSON.stringify(options.asOfDate)}`, {
      hint: "e.g. --as-of 2025-03-31",
    });
  }
  const loadDate = await dataDate(client, options.pipelineName);
  const asOf = options.asOfDate ?? loadDate;
  return inModelTransaction(client, destinationName, async (s) => {
    const models = loadModels(s.dialect, options.modelsDir);
    const tests = loadDataTests(s.dialect, options.modelsDir);
    const tables = await tableNames(s, client.datasetName);
    const missing = [...new Set(models.flatMap((m) => m.reads))].filter((t) => !tables.has(t)).sort();
    if (missing.length > 0) {
      throw new ConfigError(`the accounting models need tables the dataset ${client.datasetName} lacks: ${missing.join(", ")}`, {
        hint: "load the Sage resources of the same names first (sage-pipeline run sage_accounting)",
      });
    }
    const lastLoad = str((await s.query("SELECT MAX(load_id) AS id FROM _dlt_loads WHERE status = 0"))[0]?.id) ?? "";
    await s.execute(
      `CREATE TABLE IF NOT EXISTS ${STATE_TABLE} (model_name VARCHAR, sql_hash VARCHAR, last_load_id VARCHAR, built_at VARCHAR)`,
    );
    const previous = new Map((await s.query(`SELECT * FROM ${STATE_TABLE}`)).map((r) => [str(r.model_name), r]));
    await s.execute(`DROP TABLE IF EXISTS ${PARAMS}`);
    await s.execute(
      `CREATE TEMP TABLE ${PARAMS} AS SELECT CAST(${text(asOf)} AS DATE) AS as_of_date, CAST(${text(loadDate)} AS DATE) AS load_date, CAST('' AS VARCHAR) AS since_load_id`,
    );
    const builds: ModelBuild[] = [];
    for (const m of models) {
      const hash = createHash("sha256")
        .update([m.select, ...m.incremental, m.changedKeys ?? ""].join("\n;\n"))
        .digest("hex");
      const prev = previous.get(m.name);
      const since = prev && str(prev.sql_hash) === hash ? (str(prev.last_load_id) ?? "") : undefined;
      const incremental =
        m.materialization === "incremental" && !options.fullRefresh && since !== undefined && tables.has(m.name);
      if (incremental) await buildIncremental(s, m, since);
      else await rebuild(s, m);
      tables.add(m.name);
      const rows = Number((await s.query(`SELECT COUNT(*) AS n FROM ${quote(m.name)}`))[0]?.n ?? 0);
      builds.push({ name: m.name, materialization: m.materialization, mode: incremental ? "incremental" : "rebuilt", rows });
      await s.execute(`DELETE FROM ${STATE_TABLE} WHERE model_name = ${text(m.name)}`);
      await s.execute(
        `INSERT INTO ${STATE_TABLE} VALUES (${text(m.name)}, ${text(hash)}, ${text(lastLoad)}, ${text(new Date().toISOString())})`,
      );
    }
    const results: DataTestResult[] = [];
    for (const t of tests) results.push({ name: t.name, description: t.description, failures: await runTest(s, t) });
    await recordResults(s, results);
    await s.execute(`DROP TABLE IF EXISTS ${PARAMS}`);
    return new ModelsRunInfo(client.datasetName, asOf, builds, results);
  });
}

async function tableNames(s: ModelSession, dataset: string): Promise<Set<string>> {
  const rows = await s.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = ${text(dataset)}`);
  return new Set(rows.map((r) => str(r.table_name) ?? ""));
}

async function rebuild(s: ModelSession, m: ModelDefinition): Promise<void> {
  await s.execute(`DROP TABLE IF EXISTS ${quote(m.name)}`);
  await s.execute(`CREATE TABLE ${quote(m.name)} AS ${m.select}`);
}

async function buildIncremental(s: ModelSession, m: ModelDefinition, since: string): Promise<void> {
  await s.execute(`UPDATE ${PARAMS} SET since_load_id = ${text(since)}`);
  await s.execute(`CREATE TEMP VIEW ${SELECT_VIEW} AS ${m.select}`);
  await s.execute(`CREATE TEMP TABLE ${CHANGED} AS ${m.changedKeys!}`);
  for (const sql of m.incremental) await s.execute(sql);
  await s.execute(`DROP TABLE ${CHANGED}`);
  await s.execute(`DROP VIEW ${SELECT_VIEW}`);
}

async function runTest(s: ModelSession, t: DataTestDefinition): Promise<DataTestFailure[]> {
  const rows: ResultRow[] = await s.query(t.select);
  return rows.map((r) => ({
    test: t.name,
    businessId: str(r.business_id),
    period: str(r.period),
    difference: str(r.difference),
    detail: str(r.detail) ?? "",
  }));
}

async function recordResults(s: ModelSession, results: DataTestResult[]): Promise<void> {
  await s.execute(`DROP TABLE IF EXISTS ${RESULTS_TABLE}`);
  await s.execute(
    `CREATE TABLE ${RESULTS_TABLE} (test_name VARCHAR, status VARCHAR, business_id VARCHAR, period VARCHAR, difference DECIMAL(38, 9), detail VARCHAR, checked_at VARCHAR)`,
  );
  const at = new Date().toISOString();
  const lit = (v: string | null) => (v === null ? "NULL" : text(v));
  for (const r of results) {
    const rows =
      r.failures.length === 0
        ? [`(${text(r.name)}, 'pass', NULL, NULL, NULL, ${text(r.description)}, ${text(at)})`]
        : r.failures.map(
            (f) =>
              `(${text(r.name)}, 'fail', ${lit(f.businessId)}, ${lit(f.period)}, ${f.difference === null ? "NULL" : `CAST(${text(f.difference)} AS DECIMAL(38, 9))`}, ${text(f.detail)}, ${text(at)})`,
          );
    for (let i = 0; i < rows.length; i += 500) {
      await s.execute(`INSERT INTO ${RESULTS_TABLE} VALUES ${rows.slice(i, i + 500).join(", ")}`);
    }
  }
}

/**
 * The date the data was read, as Sage's server saw it: the newest `lastRunStartedAt` in the
 * pipeline's committed state (the Sage source keeps one per business and resource), else the
 * date of the newest load, else today (UTC).
 */
async function dataDate(client: DestinationClient, pipelineName: string): Promise<string> {
  const row = await client.storedState(pipelineName);
  let newest = "";
  if (row) {
    try {
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === "object") {
          for (const [k, x] of Object.entries(v)) {
            if (k === "lastRunStartedAt" && typeof x === "string" && x > newest) newest = x;
            else walk(x);
          }
        }
      };
      walk(JSON.parse(inflateSync(Buffer.from(row.state, "base64")).toString("utf8")));
    } catch {
      newest = "";
    }
  }
  if (DATE.test(newest.slice(0, 10))) return newest.slice(0, 10);
  const tables = await client.tableNames();
  if (tables.includes("_dlt_loads")) {
    const rows = await client.query("SELECT MAX(inserted_at) AS at FROM _dlt_loads WHERE status = 0");
    const at = rows[0]?.at;
    if (at instanceof Date) return at.toISOString().slice(0, 10);
    if (typeof at === "string" && DATE.test(at.slice(0, 10))) return at.slice(0, 10);
  }
  return new Date().toISOString().slice(0, 10);
}
