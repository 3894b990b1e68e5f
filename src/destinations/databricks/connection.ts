import type { ConnectionOptions } from "@databricks/sql/dist/contracts/IDBSQLClient.js";
import { type Secret, reveal } from "../../config/secret.js";
import { PipelineError } from "../../util/errors.js";
import { logger } from "../../util/logger.js";
import type { ResultRow } from "../destination.js";
import { importOptional } from "../optional-import.js";
import { typedSelect } from "./values.js";

type DatabricksModule = typeof import("@databricks/sql");
type Client = InstanceType<DatabricksModule["DBSQLClient"]>;
type Session = Awaited<ReturnType<Client["openSession"]>>;

/** What a connection is made from (`[destination.databricks]`, resolved). */
export interface DatabricksSettings {
  serverHostname: string;
  httpPath: string;
  accessToken?: string | Secret | undefined;
  catalog?: string | undefined;
  port?: number | undefined;
  /**
   * More of the driver's connect options (a proxy, a CA certificate, another authentication);
   * they win over the ones made from the fields above.
   */
  connectOptions?: Partial<ConnectionOptions> | undefined;
}

/** The driver's error, with the server's own message when it sent one (the driver's says "The operation failed"). */
export class DatabricksStatementError extends PipelineError {
  constructor(
    message: string,
    readonly sqlState?: string,
    hint?: string,
  ) {
    // PipelineError scrubs registered secrets (the token, a staging key in a COPY INTO) from the text.
    super(message, hint ? { hint } : undefined);
  }
}

function serverMessage(err: unknown): DatabricksStatementError {
  const e = err as { message?: string; response?: { displayMessage?: string; errorMessage?: string; sqlState?: string } };
  const text = e.response?.displayMessage ?? e.response?.errorMessage ?? e.message ?? String(err);
  // Spark puts a JVM stack after the message: the first lines say what went wrong.
  const short = text
    .split("\n")
    .filter((l) => !/^\s+at /.test(l))
    .slice(0, 4)
    .join(" ")
    .replace(/^org\.apache\.hive\.service\.cli\.HiveSQLException: /, "");
  return new DatabricksStatementError(short.length > 1000 ? `${short.slice(0, 1000)}...` : short, e.response?.sqlState);
}

const log = logger("databricks");

/** The driver logs to the console by default; here its messages go to the project's logger (debug). */
const driverLogger = {
  log(level: string, message: string) {
    if (level === "error") log.debug(`driver error: ${message}`);
    else log.debug(`driver: ${message}`);
  },
};

/**
 * The official driver's client and one session, reduced to what the destination needs: statements
 * run one at a time on the session (the load is a sequence of steps), results read through
 * `typedSelect` (values.ts) so they are exact whatever result format the server sends.
 */
export class DatabricksConnection {
  private constructor(
    private readonly client: Client,
    private readonly session: Session,
    readonly catalog: string | undefined,
  ) {}

  static async open(s: DatabricksSettings): Promise<DatabricksConnection> {
    const mod = await importOptional<DatabricksModule>("@databricks/sql", "destination databricks");
    // CommonJS under ESM: the named export, or the same on `default` where Node's detection misses it.
    const Ctor =
      (mod.DBSQLClient as DatabricksModule["DBSQLClient"] | undefined) ??
      (mod as unknown as { default: DatabricksModule }).default.DBSQLClient;
    const client = new Ctor({ logger: driverLogger });
    const token = reveal(s.accessToken);
    const options = {
      host: s.serverHostname,
      path: s.httpPath,
      ...(s.port ? { port: s.port } : {}),
      token: token ?? "",
      telemetryEnabled: false,
      preserveBigNumericPrecision: true,
      ...s.connectOptions,
    } as ConnectionOptions;
    try {
      await client.connect(options);
      const session = await client.openSession(s.catalog ? { initialCatalog: s.catalog } : {});
      const conn = new DatabricksConnection(client, session, s.catalog);
      // Timestamps are read and written as UTC wall times (naive columns, results): one zone for the session.
      await conn.execute("SET TIME ZONE 'UTC'");
      return conn;
    } catch (err) {
      await client.close().catch(() => undefined);
      if (err instanceof DatabricksStatementError) throw err;
      throw new DatabricksStatementError(
        `cannot open a Databricks session at ${s.serverHostname}${s.httpPath}: ${serverMessage(err).message}`,
        undefined,
        "check [destination.databricks.credentials] server_hostname, http_path and access_token (the warehouse's Connection details), and that the warehouse is running",
      );
    }
  }

  /** Run a statement to its end (DDL, DML, COPY INTO, PUT); `localPaths` are the folders a PUT may read. */
  async execute(sql: string, localPaths?: string[]): Promise<void> {
    await this.rows(sql, localPaths);
  }

  private async rows(sql: string, localPaths?: string[]): Promise<ResultRow[]> {
    let op;
    try {
      op = await this.session.executeStatement(sql, localPaths ? { stagingAllowedLocalPath: localPaths } : {});
      return (await op.fetchAll()) as ResultRow[];
    } catch (err) {
      throw serverMessage(err);
    } finally {
      await op?.close().catch(() => undefined);
    }
  }

  /** Rows as the driver gives them: for statements whose columns are plain strings and numbers (SHOW, DESCRIBE). */
  raw(sql: string): Promise<ResultRow[]> {
    return this.rows(sql);
  }

  /** A query's rows in the values every destination shares (values.ts), at most `maxRows` (+1 tells it was cut). */
  async query(sql: string, maxRows?: number): Promise<{ rows: ResultRow[]; columns: string[] }> {
    const text = sql.trim().replace(/;+\s*$/, "");
    const described = await this.rows(`DESCRIBE QUERY ${text}`);
    const plan = typedSelect(
      text,
      described.map((r) => ({ name: String(r.col_name), type: String(r.data_type) })),
    );
    const limited = maxRows === undefined ? plan.sql : `SELECT * FROM (${plan.sql}) AS capped LIMIT ${maxRows + 1}`;
    return { rows: (await this.rows(limited)).map(plan.decode), columns: plan.columns };
  }

  async close(): Promise<void> {
    await this.session.close().catch(() => undefined);
    await this.client.close();
  }
}
