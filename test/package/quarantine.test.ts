import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resource, tagPageUrl } from "../../src/extract/index.js";
import { RejectedItemsError } from "../../src/pipeline/incomplete.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir("sp-quarantine-");

describe("poison items and packages", () => {
  it("quarantines an item without a primary key, loads the rest, exits with a typed error naming the count, lists it in failed-jobs", async () => {
    const p = duckPipeline(dir, { pipelineName: "poison" });
    const items = resource(
      () => [
        [
          { id: 1, business_id: "b1", v: "a" },
          { business_id: "b1", v: "no id" },
          { id: 3, business_id: "b1", v: "c" },
        ],
      ],
      {
        name: "things",
        primaryKey: "id",
        writeDisposition: "merge",
      },
    );
    const err = await p.run(items).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RejectedItemsError);
    expect((err as Error).message).toContain("1 item(s) could not be normalized and were quarantined");
    expect(await p.dataset().sql("select id from things order by id").rows()).toEqual([{ id: 1 }, { id: 3 }]);
    const rejected = p.workingDir.packages.rejectedItems();
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ resource: "things", business: "b1", index: 2 });
    expect(rejected[0]!.reason).toContain("primary key column id");
    // Also a table users can query, committed with the load.
    const table = await p
      .dataset()
      .sql("select resource, table_name, business_id, item_id, item_index, reason, item from _dlt_rejected")
      .rows();
    expect(table).toEqual([
      {
        resource: "things",
        table_name: "things",
        business_id: "b1",
        item_id: null,
        item_index: 2,
        reason: rejected[0]!.reason,
        item: rejected[0]!.item,
      },
    ]);
    expect(JSON.parse(table[0]!.item as string)).toMatchObject({ business_id: "b1", v: "no id" });
    // Nothing is pending: the next run is not blocked by the package.
    expect(p.hasPendingPackages()).toBe(false);

    const cli = spawnSync(
      process.execPath,
      [join(import.meta.dirname, "..", "..", "dist", "cli", "main.js"), "pipeline", "poison", "failed-jobs"],
      {
        encoding: "utf8",
        env: { ...process.env, SAGE_PIPELINE_DATA_DIR: dir },
      },
    );
    expect(cli.stdout).toContain("1 quarantined item(s)");
    expect(cli.stdout).toContain("things item 2 of raw/");
    expect(cli.stdout).toContain("business b1");
  });

  it("names the page a quarantined item came from (redacted) in the package, _dlt_rejected and failed-jobs", async () => {
    const p = duckPipeline(dir, { pipelineName: "poison_page" });
    const url = (n: number) => `https://api.example.test/v3.1/things?page=${n}&apikey=canary-page-secret`;
    const items = resource(
      () => [tagPageUrl([{ id: 1, v: "a" }], url(1)), tagPageUrl([{ id: 2, v: "b" }, { v: "no id" }], url(2))],
      { name: "things", primaryKey: "id", writeDisposition: "merge" },
    );
    await expect(p.run(items)).rejects.toBeInstanceOf(RejectedItemsError);
    const [rejected] = p.workingDir.packages.rejectedItems();
    expect(rejected).toMatchObject({ index: 3, page: "https://api.example.test/v3.1/things?page=2&apikey=***" });
    const rows = await p.dataset().sql("select page_url from _dlt_rejected").rows();
    expect(rows).toEqual([{ page_url: "https://api.example.test/v3.1/things?page=2&apikey=***" }]);
    const cli = spawnSync(
      process.execPath,
      [join(import.meta.dirname, "..", "..", "dist", "cli", "main.js"), "pipeline", "poison_page", "failed-jobs"],
      { encoding: "utf8", env: { ...process.env, SAGE_PIPELINE_DATA_DIR: dir } },
    );
    expect(cli.stdout).toContain("from https://api.example.test/v3.1/things?page=2&apikey=***");
    expect(cli.stdout + cli.stderr).not.toContain("canary-page-secret");
  });

  it("moves a package aside after [load] max_package_attempts failed normalize attempts, and the next run is not blocked", async () => {
    const config = emptyConfig({ LOAD__MAX_PACKAGE_ATTEMPTS: "2" });
    const frozen = (rows: Array<Record<string, unknown>>) =>
      resource(() => [rows], { name: "frozen", schemaContract: { columns: "freeze" } });
    const p = duckPipeline(dir, { pipelineName: "aside", config });
    await p.run(frozen([{ id: 1 }]));
    // A new column under a frozen contract fails normalize for the whole package.
    const bad = frozen([{ id: 2, extra: "x" }]);
    await expect(p.run(bad)).rejects.toThrow(/schema contract is frozen/);
    expect(p.workingDir.packages.list("extracted")).toHaveLength(1);
    await expect(p.run()).rejects.toThrow(/moved aside/);
    expect(p.workingDir.packages.list("extracted")).toHaveLength(0);
    expect(p.workingDir.packages.failedPackages()[0]).toMatchObject({ attempts: 2, step: "normalize" });
    const info = await p.run(frozen([{ id: 3 }]));
    expect(info.loadPackages).toHaveLength(1);
    expect(await p.dataset().sql("select id from frozen order by id").rows()).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it("deletes loaded packages after a successful load, keeping the newest [load] keep_loaded_packages", async () => {
    const p = duckPipeline(dir, { pipelineName: "tidy", config: emptyConfig({ LOAD__KEEP_LOADED_PACKAGES: "2" }) });
    for (let i = 0; i < 4; i++) await p.run(resource(() => [[{ id: i }]], { name: "runs" }));
    expect(p.workingDir.packages.list("loaded")).toHaveLength(2);
    const keepAll = duckPipeline(dir, { pipelineName: "keep", config: emptyConfig({ LOAD__DELETE_COMPLETED_JOBS: "false" }) });
    for (let i = 0; i < 4; i++) await keepAll.run(resource(() => [[{ id: i }]], { name: "runs" }));
    expect(keepAll.workingDir.packages.list("loaded")).toHaveLength(4);
    expect(existsSync(keepAll.workingDir.packages.root)).toBe(true);
  });
});
