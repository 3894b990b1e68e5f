import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadJob, LoadRequest } from "../../src/destinations/destination.js";
import {
  type DatabricksClient,
  type DatabricksConnection,
  DatabricksDestination,
  type DatabricksOptions,
  type FileSource,
  dbxQuote,
  fileSelectList,
} from "../../src/destinations/databricks/index.js";
import type { Table } from "../../src/schema/types.js";
import { freePort, repoRoot } from "./emulators.js";

/**
 * TEST MODE ONLY: Apache Spark's Thrift server (HiveServer2 protocol, HTTP transport over TLS)
 * from the pinned test venv's `pyspark`, standing in for a Databricks SQL warehouse. The official
 * driver `@databricks/sql` talks to it with three adjustments, each for a Databricks-only piece of
 * the protocol that Apache Hive's server does not have (found by running it; `patchDriverForSpark`):
 *
 * 1. OpenSession: the driver sends `client_protocol = -7` (its marker; the real version rides in
 *    Databricks' `client_protocol_i64`); Hive's enum has no -7, so the server reads the required
 *    field as unset and refuses the session. Here -7 becomes HIVE_CLI_SERVICE_PROTOCOL_V10.
 * 2. GetResultSetMetadata: Databricks answers with `resultFormat` (column / Arrow / URL sets);
 *    Hive does not, and the driver refuses a result it cannot classify ("Unsupported result
 *    format: undefined"). Here an unset format is a column set, which is what Hive sends.
 * 3. Column positions: Spark numbers result columns from 0, Hive and Databricks from 1; the driver
 *    reads column `position - 1`, so every value would land one column off.
 *
 * And one in how the test connects: the driver sends its token as `Authorization: Bearer ...`, and
 * Hive's HTTP servlet (authentication NONE) parses only Basic, so the test passes the driver's own
 * `authType: "custom"` provider with a Basic header. The TLS certificate is self-signed (keytool)
 * and given to the driver as `customCaCert`: the driver only speaks https.
 *
 * Without Delta Lake (its jars come from Maven, which this machine cannot reach; PyPI's
 * `delta-spark` does not ship them) tables are Parquet, which cannot DELETE or MERGE and has no
 * volumes, PUT or COPY INTO: the conformance run lists those cases as this engine's gaps.
 */
const repo = repoRoot(dirname(fileURLToPath(import.meta.url)));
const venv = process.env.VENV_TEST_DIR ?? join(repo, ".venv-test");
const SETUP = "run `bash scripts/test-infra/setup-python.sh` (needs python3 with venv)";

function sparkHome(): string | undefined {
  const dir = join(venv, "lib");
  if (!existsSync(dir)) return undefined;
  try {
    return execFileSync(join(venv, "bin", "python"), ["-c", "import os, pyspark; print(os.path.dirname(pyspark.__file__))"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

function onPath(bin: string, probe: string): boolean {
  try {
    execFileSync(bin, [probe], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Why the local Spark engine cannot run here, or undefined when it can. */
export function sparkSkipReason(): string | undefined {
  if (process.env.SAGE_SKIP_EMULATORS) return "SAGE_SKIP_EMULATORS is set";
  if (!onPath("java", "-version")) return "java is not on PATH (Spark's Thrift server needs Java 17)";
  if (!onPath("keytool", "-help")) return "keytool (from the JDK/JRE) is not on PATH; it makes the server's TLS certificate";
  const home = sparkHome();
  if (!home || !existsSync(join(home, "jars"))) return `pyspark is not installed in ${venv}: ${SETUP}`;
  return undefined;
}

let patched = false;

/** The three protocol adjustments described above, applied to the driver's Thrift types once per process. */
export function patchDriverForSpark(): void {
  if (patched) return;
  patched = true;
  const require = createRequire(import.meta.url);
  interface Column {
    position: number;
  }
  interface ThriftStruct {
    prototype: {
      read: (this: Record<string, unknown>, i: unknown) => unknown;
      write: (this: Record<string, unknown>, o: unknown) => unknown;
    };
  }
  const T = require("@databricks/sql/thrift/TCLIService_types.js") as Record<string, ThriftStruct>;
  const open = T.TOpenSessionReq!.prototype;
  const write = open.write;
  open.write = function (o) {
    if (this.client_protocol === -7) this.client_protocol = 9;
    return write.call(this, o);
  };
  const meta = T.TGetResultSetMetadataResp!.prototype;
  const read = meta.read;
  meta.read = function (i) {
    const out = read.call(this, i);
    this.resultFormat ??= 1;
    const cols = (this.schema as { columns?: Column[] } | undefined)?.columns ?? [];
    if (cols.some((c) => c.position === 0)) for (const c of cols) c.position += 1;
    return out;
  };
}

export interface SparkThriftServer {
  host: string;
  port: number;
  httpPath: string;
  /** The connect options a test passes to `databricks({ connectOptions })`. */
  connectOptions: NonNullable<DatabricksOptions["connectOptions"]>;
  stop(): Promise<void>;
}

/** Start the Thrift server on a free 127.0.0.1 port (about 20 s), its metastore and warehouse in a temp folder. */
export async function startSparkThrift(timeoutMs = 180_000): Promise<SparkThriftServer> {
  const home = sparkHome()!;
  const dir = mkdtempSync(join(tmpdir(), "spark-thrift-"));
  const ks = join(dir, "server.jks");
  const pem = join(dir, "server.pem");
  const keytool = (args: string[]) =>
    execFileSync("keytool", [...args, "-keystore", ks, "-storepass", "changeit"], { stdio: "ignore" });
  keytool(
    ["-genkeypair", "-alias", "spark", "-keypass", "changeit", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2"].concat([
      "-dname",
      "CN=127.0.0.1",
      "-ext",
      "SAN=ip:127.0.0.1",
    ]),
  );
  keytool(["-exportcert", "-rfc", "-alias", "spark", "-file", pem]);
  const port = await freePort();
  const httpPath = "/cliservice";
  const args = [
    "--master",
    "local[2]",
    "--driver-memory",
    "768m",
    "--conf",
    "spark.ui.enabled=false",
    "--conf",
    "spark.sql.shuffle.partitions=2",
    "--conf",
    `spark.sql.warehouse.dir=${join(dir, "warehouse")}`,
    "--conf",
    `spark.driver.extraJavaOptions=-Dderby.system.home=${join(dir, "derby")}`,
    "--class",
    "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
    "--hiveconf",
    "hive.server2.transport.mode=http",
    "--hiveconf",
    `hive.server2.thrift.http.port=${port}`,
    "--hiveconf",
    "hive.server2.thrift.bind.host=127.0.0.1",
    "--hiveconf",
    `hive.server2.thrift.http.path=${httpPath.slice(1)}`,
    "--hiveconf",
    "hive.server2.use.SSL=true",
    "--hiveconf",
    `hive.server2.keystore.path=${ks}`,
    "--hiveconf",
    "hive.server2.keystore.password=changeit",
    "spark-internal",
  ];
  const child: ChildProcess = spawn(join(home, "bin", "spark-submit"), args, {
    cwd: dir,
    env: { ...process.env, SPARK_HOME: home, SPARK_LOCAL_IP: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const onData = (b: Buffer) => {
    log = (log + b.toString()).slice(-8000);
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const state = { exited: false };
  const exit = new Promise<void>((ok) =>
    child.once("exit", () => {
      state.exited = true;
      ok();
    }),
  );
  const stop = async () => {
    if (!state.exited) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exit;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (!log.includes("HiveThriftServer2 started")) {
    if (state.exited) {
      await stop();
      throw new Error(`Spark's Thrift server exited at start:\n${log}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Spark's Thrift server did not start within ${timeoutMs / 1000} s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  patchDriverForSpark();
  const basic = `Basic ${Buffer.from("token:local").toString("base64")}`;
  return {
    host: "127.0.0.1",
    port,
    httpPath,
    connectOptions: {
      port,
      customCaCert: readFileSync(pem),
      authType: "custom",
      provider: { authenticate: () => Promise.resolve({ Authorization: basic }) },
      retryMaxAttempts: 1,
    },
    stop,
  };
}

/**
 * TEST MODE ONLY: the engine runs on this machine, so it reads the package's files where they
 * are (`text.\`path\``), with the same select list COPY INTO uses (file-sources.ts); what it
 * cannot show is PUT to a volume and COPY INTO itself.
 */
class LocalFiles implements FileSource {
  constructor(private readonly client: DatabricksClient) {}

  async fill(staging: string, t: Table, jobs: LoadJob[]): Promise<void> {
    for (const j of jobs) {
      await this.client.conn.execute(`INSERT INTO ${staging} SELECT ${fileSelectList(t)} FROM text.${dbxQuote(j.path)}`);
    }
  }

  cleanup(): Promise<void> {
    return Promise.resolve();
  }
}

/** A statement the test makes fail, as a crash at that point would: the statement does not run. */
export type FailWhen = (sql: string) => boolean;

class DatabricksOnSpark extends DatabricksDestination {
  constructor(
    options: DatabricksOptions,
    private readonly failWhen?: FailWhen,
  ) {
    super(options);
  }

  protected override async openConnection(): Promise<DatabricksConnection> {
    const conn = await super.openConnection();
    const failWhen = this.failWhen;
    if (!failWhen) return conn;
    const execute = conn.execute.bind(conn);
    conn.execute = (sql, localPaths) => {
      if (failWhen(sql)) return Promise.reject(new Error(`simulated crash before: ${sql.slice(0, 60)}`));
      return execute(sql, localPaths);
    };
    return conn;
  }

  protected override fileSource(client: DatabricksClient, _req: LoadRequest): Promise<FileSource> {
    return Promise.resolve(new LocalFiles(client));
  }
}

/** A Databricks destination whose SQL runs on the local Spark Thrift server (test mode). */
export function databricksOnSpark(
  server: SparkThriftServer,
  options: DatabricksOptions = {},
  failWhen?: FailWhen,
): DatabricksDestination {
  return new DatabricksOnSpark(
    {
      ...options,
      credentials: { server_hostname: server.host, http_path: server.httpPath, access_token: "local", ...options.credentials },
      connectOptions: { ...server.connectOptions, ...options.connectOptions },
    },
    failWhen,
  );
}
