import { describe, expect, it, vi } from "vitest";
import { resource } from "../../src/extract/index.js";
import { TableWriter } from "../../src/normalize/table-writer.js";
import { duckPipeline, tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir("sp-write-failure-");

describe("a load file that cannot be written", () => {
  it("fails the normalize (exit 1, run again) instead of quarantining every item, and the rerun loads them all", async () => {
    const p = duckPipeline(dir, { pipelineName: "diskfull" });
    const items = resource(() => [[{ id: 1 }, { id: 2 }, { id: 3 }]], {
      name: "things",
      primaryKey: "id",
      writeDisposition: "merge",
    });
    const spy = vi.spyOn(TableWriter.prototype, "write").mockImplementation(() => {
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    });
    const err = await p.run(items).catch((e: unknown) => e);
    spy.mockRestore();
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain("writing a load file of table things");
    expect((err as Error).message).toContain("ENOSPC");
    expect((err as { kind?: string }).kind).toBe("transient");
    expect(p.workingDir.packages.rejectedItems()).toEqual([]);
    // The extracted package is still there: the next run normalizes and loads all three rows.
    expect(p.hasPendingPackages()).toBe(true);
    await p.run(items);
    expect(await p.dataset().sql("select id from things order by id").rows()).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });
});
