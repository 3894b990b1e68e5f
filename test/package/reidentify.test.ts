import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigResolver } from "../../src/config/resolver.js";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { LoadIdTaken, loadVerdict } from "../../src/destinations/load-identity.js";
import { postgres } from "../../src/destinations/postgres/index.js";
import { resource } from "../../src/extract/resource.js";
import type { NormalizedManifest } from "../../src/package/format.js";
import { copyAsLoad } from "../../src/package/reidentify.js";
import { pipeline } from "../../src/pipeline/pipeline.js";
import { PG_URL, probePostgres } from "../destinations/pg-server.js";

const noServer = await probePostgres();

const root = mkdtempSync(join(tmpdir(), "reidentify-"));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});
let n = 0;

/** A normalized package (not loaded) of merge rows with a child table and a quarantined item. */
async function normalizedPackage(destination: "duckdb" | "postgres") {
  const dir = join(root, `p${++n}`);
  const p = pipeline({
    pipelineName: "rid",
    destination: destination === "duckdb" ? duckdb({ credentials: join(dir, "x.duckdb") }) : postgres({ credentials: PG_URL }),
    datasetName: `rid_${n}`,
    pipelinesDir: join(dir, "pipelines"),
    config: new ConfigResolver([]),
  });
  const data = [
    { id: 1, note: 'value "_dlt_load_id":"x"\tand a tab', lines: [{ n: 1 }, { n: 2 }] },
    { id: 2, note: "plain", lines: [] },
    { note: "no key: quarantined" },
  ];
  await p.extract(
    resource(
      function* () {
        yield data;
      },
      { name: "inv", primaryKey: "id", writeDisposition: "merge" },
    ),
  );
  await p.normalize();
  const store = p.workingDir.packages;
  const loadId = store.list("normalized")[0]!;
  return { p, store, loadId, dir: store.normalized(loadId) };
}

function jobTexts(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(join(dir, "new_jobs"))) out.set(f, readFileSync(join(dir, "new_jobs", f), "utf8"));
  return out;
}

describe("a normalized package renamed to a new load id", () => {
  for (const format of ["duckdb", "postgres"] as const) {
    it.skipIf(format === "postgres" && noServer !== undefined)(
      `rewrites _dlt_load_id in every row and nothing else (${format === "duckdb" ? "jsonl" : `copy_text${noServer ? `; skipped: ${noServer}` : ""}`})`,
      async () => {
        const { store, loadId, dir } = await normalizedPackage(format);
        const before = jobTexts(dir);
        expect([...before.keys()].every((f) => f.endsWith(format === "duckdb" ? ".jsonl" : ".copy"))).toBe(true);
        const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as NormalizedManifest;
        expect(manifest.packageId).toMatch(/^[\w-]{12}$/);
        const next = (Number(loadId) + 1).toFixed(6);
        store.reidentify(loadId, next);
        expect(existsSync(dir)).toBe(false);
        expect(store.list("normalized")).toEqual([next]);
        const after = jobTexts(store.normalized(next));
        expect([...after.keys()]).toEqual([...before.keys()]);
        for (const [f, text] of before) {
          // Same bytes once the id is swapped: no other value changed, not even one that looks like it.
          expect(after.get(f)).toBe(text.split(loadId).join(next));
        }
        const rewritten = [...after.values()].join("");
        expect(rewritten).not.toContain(loadId);
        const moved = JSON.parse(readFileSync(join(store.normalized(next), "manifest.json"), "utf8")) as NormalizedManifest;
        expect(moved).toEqual({ ...manifest, loadId: next, replaces: loadId });
        const rejected = readFileSync(join(store.normalized(next), "rejected.jsonl"), "utf8");
        expect(rejected).toContain(`"loadId":"${next}"`);
        expect(readFileSync(join(store.root, "rejected", `${next}.jsonl`), "utf8")).toBe(rejected);
        expect(existsSync(join(store.root, "rejected", `${loadId}.jsonl`))).toBe(false);
      },
    );
  }

  it("refuses a job whose rows do not all carry the old id, leaving the package as it was", async () => {
    const { store, loadId, dir } = await normalizedPackage("duckdb");
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as NormalizedManifest;
    const root = manifest.jobs.find((j) => j.table === "inv")!;
    const file = join(dir, "new_jobs", root.file);
    writeFileSync(file, readFileSync(file, "utf8").replace(`"_dlt_load_id":"${loadId}"`, `"_dlt_load_id": "${loadId}"`));
    expect(() => {
      store.reidentify(loadId, (Number(loadId) + 1).toFixed(6));
    }).toThrow(/1 of its 2 lines/);
    expect(store.list("normalized")).toEqual([loadId]);
    expect(readdirSync(join(store.root, "normalized"))).toEqual([loadId]);
  });

  it("a crash after the copy is committed and before the old folder goes: the load step loads it once", async () => {
    const { p, store, loadId, dir } = await normalizedPackage("duckdb");
    const next = (Number(loadId) + 1).toFixed(6);
    // What reidentify does up to the crash: the renamed copy is in place, the old folder still there.
    copyAsLoad(dir, join(root, "copy"), next);
    cpSync(join(root, "copy"), store.normalized(next), { recursive: true });
    expect(store.list("normalized")).toEqual([loadId, next]);
    const info = await p.load();
    expect(info.loadPackages.map((x) => x.loadId)).toEqual([next]);
    expect(await p.dataset().table("inv").count()).toBe(2);
    expect(await p.dataset().table("inv__lines").count()).toBe(2);
    expect(await p.dataset().table("_dlt_rejected").count()).toBe(1);
    expect(store.list("normalized")).toEqual([]);
  });
});

describe("loadVerdict: what the _dlt_loads rows of a load id say about one package", () => {
  it("no row: not loaded; its own row, or one of an older engine: loaded; another package's: LoadIdTaken", () => {
    expect(loadVerdict("1.1", "pkgA", [])).toBe(false);
    expect(loadVerdict("1.1", "pkgA", ["pkgA"])).toBe(true);
    expect(loadVerdict("1.1", "pkgA", [null])).toBe(true);
    expect(loadVerdict("1.1", "pkgA", [undefined])).toBe(true);
    expect(loadVerdict("1.1", undefined, ["pkgB"])).toBe(true);
    expect(() => loadVerdict("1.1", "pkgA", ["pkgB"])).toThrow(LoadIdTaken);
    expect(loadVerdict("1.1", "pkgA", ["pkgB", "pkgA"])).toBe(true);
  });
});
