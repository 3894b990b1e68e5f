import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigResolver } from "../../src/config/resolver.js";
import { filesystem } from "../../src/destinations/filesystem/index.js";
import { type ResourceHints, resource } from "../../src/extract/resource.js";
import { pipeline } from "../../src/pipeline/pipeline.js";

const root = mkdtempSync(join(tmpdir(), "fs-commit-"));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});
let n = 0;

function setup(format: "jsonl" | "parquet" = "jsonl") {
  const dir = join(root, `t${++n}`);
  const bucket = join(dir, "bucket");
  const make = (f = format) =>
    pipeline({
      pipelineName: "fs_commit",
      destination: filesystem({ bucketUrl: bucket, format: f }),
      datasetName: "ds",
      pipelinesDir: join(dir, "pipelines"),
      config: new ConfigResolver([]),
    });
  const files = (table: string) => (existsSync(join(bucket, "ds", table)) ? readdirSync(join(bucket, "ds", table)).sort() : []);
  return { dir, bucket, make, files };
}

const rows = (data: unknown[], hints: ResourceHints = {}) =>
  resource(
    function* () {
      if (data.length > 0) yield data;
    },
    { name: "items", ...hints },
  );

/** Move a loaded package back to normalized/, as if the process died before finishing it. */
function unload(workingDir: string, loadId: string): void {
  const pkgs = join(workingDir, "packages");
  const again = join(pkgs, "normalized", loadId);
  renameSync(join(pkgs, "loaded", loadId), again);
  rmSync(join(again, "package_completed.json"));
  for (const f of readdirSync(join(again, "completed_jobs")))
    renameSync(join(again, "completed_jobs", f), join(again, "new_jobs", f));
}

describe("filesystem destination: commit protocol", () => {
  it("lays files out as <dataset>/<table>/<load_id>.<file_id>.<ext> with dlt's system folders", async () => {
    const { make, bucket, files } = setup("parquet");
    const p = make();
    const info = await p.run(rows([{ id: 1, tags: ["a"] }]));
    const loadId = info.loadPackages[0]!.loadId;
    const job = info.loadPackages[0]!.jobs.find((j) => j.table === "items")!;
    const fileId = job.file.split(".")[1];
    expect(files("items")).toEqual([`${loadId}.${fileId}.parquet`]);
    expect(files("items__tags")).toHaveLength(1);
    expect(files("_dlt_loads")).toEqual([`fs_commit__${loadId}.jsonl`]);
    expect(files("_dlt_version")[0]).toMatch(new RegExp(`^fs_commit__${loadId.replace(".", "\\.")}__[\\w-]+\\.jsonl$`));
    expect(files("_dlt_pipeline_state")[0]).toMatch(new RegExp(`^fs_commit__${loadId.replace(".", "\\.")}__[\\w-]+\\.jsonl$`));
    expect(String(info)).toContain(`file://${bucket}`);
  });

  it("a load cut off before its _dlt_loads marker is invisible, and its retry lands exactly once", async () => {
    const { make, bucket, files } = setup();
    const p = make();
    await p.run(rows([{ id: 1 }]));
    const second = await p.run(rows([{ id: 2 }, { id: 3 }]));
    const loadId = second.loadPackages[0]!.loadId;
    // The crash: data, version and state files were written, the marker was not.
    rmSync(join(bucket, "ds", "_dlt_loads", `fs_commit__${loadId}.jsonl`));
    unload(p.workingDir.path, loadId);
    const fresh = make();
    expect(await fresh.dataset().table("items").count()).toBe(1);
    expect(files("items")).toHaveLength(2);
    const info = await fresh.load();
    expect(info.loadPackages[0]!.alreadyLoaded).toBe(false);
    expect((await fresh.dataset().table("items").orderBy("id").rows()).map((r) => r.id)).toEqual([1, 2, 3]);
    expect(files("items")).toHaveLength(2);
  });

  it("replaced files left behind by a cut-off clean-up are ignored, then removed by the next load", async () => {
    const { make, bucket, files } = setup();
    const p = make();
    const hints: ResourceHints = { writeDisposition: "replace" };
    await p.run(rows([{ id: 1 }, { id: 2 }], hints));
    const [old] = files("items");
    copyFileSync(join(bucket, "ds", "items", old!), join(root, "saved"));
    await p.run(rows([{ id: 3 }], hints));
    // The crash: the marker of load 2 exists, the old file was not deleted yet.
    copyFileSync(join(root, "saved"), join(bucket, "ds", "items", old!));
    expect(files("items")).toHaveLength(2);
    expect((await p.dataset().table("items").rows()).map((r) => r.id)).toEqual([3]);
    await p.run(rows([{ id: 4 }], { writeDisposition: "append" }));
    expect(files("items")).not.toContain(old);
    expect((await p.dataset().table("items").orderBy("id").rows()).map((r) => r.id)).toEqual([3, 4]);
  });

  it("merge rewrites only the files that hold replaced rows", async () => {
    const { make, files, bucket } = setup();
    const p = make();
    const hints: ResourceHints = { writeDisposition: "merge", primaryKey: "id" };
    await p.run(
      rows(
        [
          { id: 1, v: "a" },
          { id: 2, v: "b" },
        ],
        hints,
      ),
    );
    await p.run(
      rows(
        [
          { id: 3, v: "c" },
          { id: 4, v: "d" },
        ],
        hints,
      ),
    );
    const [first, second] = files("items");
    const firstBytes = readFileSync(join(bucket, "ds", "items", first!), "utf8");
    await p.run(rows([{ id: 3, v: "c2" }], hints));
    const after = files("items");
    expect(after).toContain(first);
    expect(after).not.toContain(second);
    expect(readFileSync(join(bucket, "ds", "items", first!), "utf8")).toBe(firstBytes);
    expect((await p.dataset().table("items").orderBy("id").rows()).map((r) => [r.id, r.v])).toEqual([
      [1, "a"],
      [2, "b"],
      [3, "c2"],
      [4, "d"],
    ]);
  });

  it("merge without a primary or merge key appends, as in dlt", async () => {
    const { make } = setup();
    const p = make();
    await p.run(rows([{ id: 1 }], { writeDisposition: "merge" }));
    await p.run(rows([{ id: 1 }], { writeDisposition: "merge" }));
    expect(await p.dataset().table("items").count()).toBe(2);
  });

  it("reads rows longer than DuckDB's default 16 MB JSON buffer, in views and when merging", async () => {
    const { make } = setup("jsonl");
    const p = make();
    const huge = "y".repeat(17 << 20);
    const hints: ResourceHints = { writeDisposition: "merge", primaryKey: "id" };
    await p.run(
      rows(
        [
          { id: 1, s: huge },
          { id: 2, s: "small" },
        ],
        hints,
      ),
    );
    await p.run(rows([{ id: 2, s: "changed" }], hints));
    const all = await p.dataset().table("items").orderBy("id").rows();
    expect(all.map((r) => [r.id, String(r.s).length])).toEqual([
      [1, huge.length],
      [2, 7],
    ]);
  });

  it("reads a table whose files changed format between loads", async () => {
    const { make, files } = setup("jsonl");
    await make("jsonl").run(rows([{ id: 1, amount: "1.5" }], { columns: { amount: { dataType: "decimal" } } }));
    const p = make("parquet");
    await p.run(rows([{ id: 2, amount: "2.25", note: "new column" }], { columns: { amount: { dataType: "decimal" } } }));
    expect(files("items").map((f) => f.split(".").pop())).toEqual(["jsonl", "parquet"]);
    const all = await p.dataset().table("items").orderBy("id").rows();
    expect(all.map((r) => [r.id, r.amount, r.note])).toEqual([
      [1, "1.500000000", null],
      [2, "2.250000000", "new column"],
    ]);
  });
});
