import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PackageStore, boundedStem, jobFileName } from "../../src/package/index.js";
import { parseState } from "../../src/pipeline/state.js";
import { newState } from "../../src/pipeline/state.js";
import { tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir("sp-package-");

describe("package files", () => {
  it("keeps short stems and hash-shortens long ones to 100 bytes, distinct per name", () => {
    expect(boundedStem("contacts__addresses")).toBe("contacts__addresses");
    const a = boundedStem("x".repeat(5000) + "a");
    const b = boundedStem("x".repeat(5000) + "b");
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(100);
    expect(a).not.toBe(b);
    expect(Buffer.byteLength(boundedStem("é".repeat(300)))).toBeLessThanOrEqual(100);
    expect(boundedStem("../../etc")).not.toContain("/");
    expect(jobFileName("t".repeat(400), "abc", "jsonl")).toMatch(/^t+_[0-9a-f]{16}\.abc\.0\.jsonl$/);
  });

  it("reads a package's state typed, and names the file when it is not a state", () => {
    const store = new PackageStore(join(dir, "wd"), parseState);
    const tmp = store.extractTmp("1.000001");
    const state = newState("p", "d");
    store.writeExtracted(
      tmp,
      {
        loadId: "1.000001",
        pipelineName: "p",
        sourceName: "s",
        schemaName: "s",
        createdAt: "",
        resources: [],
        files: [],
        stateChanged: true,
      },
      state,
    );
    expect(store.readState(tmp)?._stateVersion).toBe(0);
    writeFileSync(join(tmp, "state.json"), '{"nope": 1}');
    expect(() => store.readState(tmp)).toThrow(/state\.json is not a pipeline state/);
  });

  it("a damaged manifest is a DataError naming the file and the way out", () => {
    const store = new PackageStore(join(dir, "wd2"), parseState);
    mkdirSync(store.extracted("2.000001"), { recursive: true });
    writeFileSync(join(store.extracted("2.000001"), "manifest.json"), "{");
    expect(() => store.readExtractedManifest("2.000001")).toThrow(/manifest\.json is not valid JSON/);
  });
});
