import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN } from "../e2e/cli-helpers.js";
import { duckPipeline, tempDir } from "../helpers/tmp-pipeline.js";

// `sage-pipeline pipeline X schema | head -1`: the reader leaves after one line; the CLI ends
// quietly instead of dying on an unhandled EPIPE.

const root = tempDir("sp-epipe-");

describe("a closed stdout", () => {
  it("pipeline <name> schema | head -1 exits 0 without a stack trace", async () => {
    const p = duckPipeline(root, { pipelineName: "wide" });
    // A schema large enough that the CLI is still writing when the reader is gone.
    const row = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`column_with_a_long_name_${i}`, i]));
    await p.run([row], { tableName: "wide" });
    const child = spawn(process.execPath, [BIN, "pipeline", "wide", "schema"], {
      env: { PATH: process.env.PATH ?? "", HOME: root, PIPELINE__PIPELINES_DIR: join(root, "pipelines") },
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.once("data", () => {
      child.stdout.destroy();
    });
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toContain("EPIPE");
    expect(stderr).toBe("");
    expect(status).toBe(0);
  });
});
