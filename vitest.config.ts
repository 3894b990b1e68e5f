import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/**
 * The longest test files, longest first. Vitest orders files by the durations it cached on an
 * earlier run; a clean clone (CI) has none and ran files in path order, so the Spark suite (~500 s
 * beside another suite) started three minutes in and set the end of the run. Starting the longest
 * first lets the short files fill the other worker (longest-processing-time-first scheduling):
 * npm test 644 s instead of 851 s on the 2-core CI machine. The durations are from that run; the
 * order matters, the numbers do not.
 */
const LONGEST_FIRST = [
  "test/destinations/databricks.test.ts", // Spark's Thrift server: ~2,300 statements (~330 s)
  "test/destinations/bigquery-commit.test.ts", // a failure at every write of every commit (~225 s)
  "test/e2e/sage-bigquery.test.ts", // ~80 s
  "test/e2e/sage-warehouses.test.ts", // ~55 s
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((p) => f.moduleId.endsWith(p));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    // Array.prototype.sort is stable: the rest keep the order the base sequencer gave them.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // DuckDB files and HTTP servers are per test file; two cores, so keep the pool small.
    pool: "forks",
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-results.json" },
  },
});
