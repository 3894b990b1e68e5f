import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Item, resource, tagPlainJson } from "../../src/extract/index.js";
import { MARK } from "../../src/util/typed-json.js";
import { duckPipeline, tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir("sp-plain-page-");
const AT = new Date("2026-12-02T18:00:00.000Z");

/** The raw lines extract wrote for the package of `loadId`, all files together. */
function rawLines(p: ReturnType<typeof duckPipeline>, loadId: string): string[] {
  const pkg = p.workingDir.packages.extracted(loadId);
  const files = readdirSync(pkg, { recursive: true, withFileTypes: true }).filter((f) => f.isFile() && /\.jsonl$/.test(f.name));
  return files.flatMap((f) => readFileSync(join(f.parentPath, f.name), "utf8").split("\n").filter(Boolean));
}

/** A page the source vouches for as plain JSON (extract/plain-page.ts). */
const page = () =>
  tagPlainJson([
    { id: 1, v: "a", nested: { n: [1, 2] } },
    { id: 2, v: "b" },
  ]);

describe("pages tagged as plain JSON", () => {
  it("are written as JSON.stringify writes them", async () => {
    const p = duckPipeline(dir, { pipelineName: "plain" });
    const info = await p.extract(resource(() => [page()], { name: "things" }));
    expect(rawLines(p, info.loadId)).toEqual(page().map((it) => JSON.stringify(it)));
  });

  it("lose the tag when a step can have changed the items in place: what the step made stays typed", async () => {
    const p = duckPipeline(dir, { pipelineName: "plain_step" });
    const stamped = resource(() => [page()], { name: "things" }).addMap((it: Item) => {
      it.at = AT;
      return it;
    });
    const info = await p.extract(stamped);
    const lines = rawLines(p, info.loadId);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect((JSON.parse(line) as Item).at).toBe(`${MARK}D${AT.toISOString()}`);
  });

  it("lose the tag when a table name function sees the items first", async () => {
    const p = duckPipeline(dir, { pipelineName: "plain_table_fn" });
    const routed = resource(() => [page()], {
      name: "things",
      tableName: (it: Item) => {
        it.at = AT;
        return "things";
      },
    });
    const info = await p.extract(routed);
    for (const line of rawLines(p, info.loadId)) expect((JSON.parse(line) as Item).at).toBe(`${MARK}D${AT.toISOString()}`);
  });
});
