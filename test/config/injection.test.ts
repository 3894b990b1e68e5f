import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigResolver, EnvProvider, TomlProvider } from "../../src/config/index.js";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { resource, source } from "../../src/extract/index.js";
import { HttpClient, resolveRetryPolicy } from "../../src/http/index.js";
import { Pipeline, pipeline } from "../../src/pipeline/index.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { sageAccountingSource } from "../../src/sage/index.js";
import { ConfigError } from "../../src/util/errors.js";
import { tempDir } from "../helpers/tmp-pipeline.js";

/**
 * Library objects never read `.dlt/` of the current directory on their own: only `pipeline()`
 * does (like `dlt.pipeline()`), and a source made without a resolver reads its config from the
 * pipeline that runs it.
 */
describe("config reaches library objects through the pipeline", () => {
  let sb: Sandbox;
  const dir = tempDir();
  const cwd = process.cwd();

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, businesses: 1, scale: 0.02, seed: 3 });
    // A working directory whose .dlt/ would break anything that read it on its own.
    const here = join(dir, "cwd");
    mkdirSync(join(here, ".dlt"), { recursive: true });
    writeFileSync(
      join(here, ".dlt", "config.toml"),
      '[runtime]\nrequest_max_attempts = 1\n\n[sources.sage_accounting_source]\nitems_per_page = 9999\n\n[pipeline]\npipeline_name = "from_cwd"\ndataset_name = "cwd_data"\n',
    );
    process.chdir(here);
  });
  afterAll(async () => {
    process.chdir(cwd);
    await sb.close();
  });

  it("only pipeline() reads the working directory's [pipeline], like dlt.pipeline()", () => {
    const p = pipeline({ pipelinesDir: join(dir, "pipelines"), destination: duckdb({ credentials: join(dir, "x.duckdb") }) });
    expect([p.pipelineName, p.datasetName]).toEqual(["from_cwd", "cwd_data"]);
    // Explicit values win over [pipeline]; a resolver passed in replaces the working directory's.
    const q = pipeline({ pipelineName: "mine", pipelinesDir: join(dir, "pipelines"), config: ConfigResolver.empty() });
    expect([q.pipelineName, q.datasetName, q.destinationName]).toEqual(["mine", "mine_dataset", "duckdb"]);
  });

  it("HttpClient, sources and the retry policy made without a resolver ignore the working directory", () => {
    expect(resolveRetryPolicy().requestMaxAttempts).toBe(5);
    expect(() => new HttpClient()).not.toThrow();
    const src = sageAccountingSource({ resources: ["tax_rates"] });
    expect(src.configured).toBe(false);
    expect(() => src.resources).toThrow(ConfigError);
    expect(() => src.resources).toThrow(/has not read its config yet/);
    // Bad options in code still fail at once.
    expect(() => sageAccountingSource({ itemsPerPage: 0 })).toThrow(/items_per_page must be an integer from 1 to 200/);
    expect(() => sageAccountingSource({ resources: ["sales_invoice"] })).toThrow(/Unknown Sage endpoint/);
  });

  it("a source made in code without a resolver gets the pipeline's config when it runs (the README example)", async () => {
    const config = new ConfigResolver([
      new EnvProvider({ SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL: sb.apiBaseUrl }),
      new EnvProvider({ BOOKS__SOURCES__SAGE_ACCOUNTING_SOURCE__ACCESS_TOKEN: sb.issueTokens().access_token }),
    ]);
    const p = new Pipeline({
      pipelineName: "books",
      datasetName: "books_data",
      destination: duckdb({ credentials: join(dir, "books.duckdb") }),
      pipelinesDir: join(dir, "pipelines"),
      config,
    });
    const src = sageAccountingSource({ resources: ["tax_rates", "contacts"] }).withResources("tax_rates");
    const info = await p.run(src);
    expect(src.configured).toBe(true);
    expect(info.loadPackages).toHaveLength(1);
    const business = sb.store.businesses[0]!.id;
    expect(await p.dataset().table("tax_rates").count()).toBe(sb.store.count(business, "tax_rates"));
    // The selection made before the source had its config applies: contacts did not load.
    const tables = await p
      .dataset()
      .sql("select table_name from information_schema.tables where table_schema = 'books_data'")
      .rows();
    expect(tables.map((t) => String(t.table_name))).not.toContain("contacts");
  });

  it("a plain source and a source given its own resolver work as before", async () => {
    const file = join(dir, "own.toml");
    writeFileSync(file, `[sources.sage_accounting_source]\nbase_url = "${sb.apiBaseUrl}"\nresources = ["tax_rates"]\n`);
    const own = new ConfigResolver([
      new EnvProvider({ SOURCES__SAGE_ACCOUNTING_SOURCE__ACCESS_TOKEN: sb.issueTokens().access_token }),
      new TomlProvider("own.toml", file),
    ]);
    const src = sageAccountingSource({}, own);
    expect([...src.resources.keys()]).toEqual(["tax_rates"]);
    const p = new Pipeline({
      pipelineName: "own",
      destination: duckdb({ credentials: join(dir, "own.duckdb") }),
      pipelinesDir: join(dir, "pipelines"),
      config: ConfigResolver.empty(),
    });
    await p.run(src);
    expect(await p.dataset().table("tax_rates").count()).toBe(sb.store.count(sb.store.businesses[0]!.id, "tax_rates"));
    const plain = source("plain", [resource(() => [[{ id: 1 }]], { name: "things" })]);
    await p.run(plain);
    expect(await p.dataset().table("things").count()).toBe(1);
  });
});
