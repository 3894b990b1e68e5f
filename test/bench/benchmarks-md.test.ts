import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HEADER, rewriteBenchmarks } from "../../bench/benchmarks-md.js";

// A BENCHMARKS.md with hand-written text in every place a person puts it: an edited header, the
// notes block (followed by one blank line less than run.ts used to expect), a note between two
// sections and one after the last.
const file = [
  "# Benchmarks\n\nHand-edited intro.\n\n",
  "<!-- notes -->\n## Findings\n\n* one\n<!-- /notes -->\n",
  "<!-- bench:alpha -->\n## Alpha\n\nold alpha\n<!-- /bench:alpha -->\n",
  "\nA note about alpha, after its section.\n\n",
  "<!-- bench:faults -->\n## Faults\n\nold faults\n<!-- /bench:faults -->\n",
  "\nThe proxy draws faults per request from its seed.\n",
].join("");

describe("rewriteBenchmarks", () => {
  it("replaces only the regenerated section's body; every byte outside it stays", () => {
    const out = rewriteBenchmarks(file, new Map([["alpha", "## Alpha\n\nnew alpha\n"]]));
    expect(out).toBe(file.replace("old alpha", "new alpha"));
  });

  it("keeps the text after the last section when that section is regenerated", () => {
    const out = rewriteBenchmarks(file, new Map([["faults", "## Faults\n\nnew faults\n"]]));
    expect(out).toBe(file.replace("old faults", "new faults"));
  });

  it("appends a section the file does not have yet at the end, after what was there", () => {
    const out = rewriteBenchmarks(file, new Map([["beta", "## Beta\n"]]));
    expect(out).toBe(`${file}\n<!-- bench:beta -->\n## Beta\n<!-- /bench:beta -->\n`);
  });

  it("starts a missing file with the header", () => {
    const out = rewriteBenchmarks(undefined, new Map([["alpha", "## Alpha\n"]]));
    expect(out).toBe(`${HEADER}<!-- bench:alpha -->\n## Alpha\n<!-- /bench:alpha -->\n`);
  });

  it("leaves this repository's BENCHMARKS.md byte-identical when a section is rewritten unchanged", () => {
    const real = readFileSync(join(import.meta.dirname, "..", "..", "BENCHMARKS.md"), "utf8");
    const body = /<!-- bench:faults -->\n([\s\S]*?)<!-- \/bench:faults -->/.exec(real)?.[1];
    expect(body).toBeDefined();
    expect(rewriteBenchmarks(real, new Map([["faults", body!]]))).toBe(real);
  });

  it("refuses a section whose end marker is missing, naming the marker to add", () => {
    const broken = "<!-- bench:alpha -->\n## Alpha\n\nno end marker\n";
    expect(() => rewriteBenchmarks(broken, new Map([["alpha", "x\n"]]))).toThrow(/BENCHMARKS\.md.*<!-- \/bench:alpha -->/);
  });

  it("refuses a section that appears twice, since either could be the one to replace", () => {
    const twice = "<!-- bench:alpha -->\na\n<!-- /bench:alpha -->\n\n<!-- bench:alpha -->\nb\n<!-- /bench:alpha -->\n";
    expect(() => rewriteBenchmarks(twice, new Map([["alpha", "x\n"]]))).toThrow(/BENCHMARKS\.md.*appears twice/);
  });
});
