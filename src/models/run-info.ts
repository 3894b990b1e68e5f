import { PipelineError } from "../util/errors.js";

export interface ModelBuild {
  name: string;
  materialization: "table" | "incremental";
  /** `rebuilt` (whole table) or `incremental` (only the keys loaded since the last run). */
  mode: "rebuilt" | "incremental";
  rows: number;
}

export interface DataTestFailure {
  test: string;
  businessId: string | null;
  period: string | null;
  /** Exact decimal as text. */
  difference: string | null;
  detail: string;
}

export interface DataTestResult {
  name: string;
  description: string;
  failures: DataTestFailure[];
}

/** How many failures a report prints per test (all of them are in `sage__data_tests`). */
const SHOWN_FAILURES = 20;

/** What one `models run` built and what its data tests found. */
export class ModelsRunInfo {
  constructor(
    readonly datasetName: string,
    readonly asOfDate: string,
    readonly models: ModelBuild[],
    readonly tests: DataTestResult[],
  ) {}

  get failedTests(): DataTestResult[] {
    return this.tests.filter((t) => t.failures.length > 0);
  }

  get passed(): boolean {
    return this.failedTests.length === 0;
  }

  toJSON(): Record<string, unknown> {
    return {
      datasetName: this.datasetName,
      asOfDate: this.asOfDate,
      models: this.models,
      tests: this.tests,
      passed: this.passed,
    };
  }

  toString(): string {
    const width = Math.max(...this.models.map((m) => m.name.length), 10);
    const lines = [`Models in dataset ${this.datasetName}, aging as of ${this.asOfDate}:`];
    for (const m of this.models) {
      lines.push(`  ${m.name.padEnd(width)}  ${m.mode.padEnd(11)}  ${m.rows.toLocaleString("en-US")} rows`);
    }
    const failed = this.failedTests;
    lines.push(`Data tests: ${this.tests.length - failed.length} passed, ${failed.length} failed`);
    for (const t of failed) {
      lines.push(`  FAILED ${t.name}: ${t.description}`);
      for (const f of t.failures.slice(0, SHOWN_FAILURES)) lines.push(`    ${describeFailure(f)}`);
      if (t.failures.length > SHOWN_FAILURES) {
        lines.push(`    ... and ${t.failures.length - SHOWN_FAILURES} more (all in table sage__data_tests)`);
      }
    }
    return lines.join("\n");
  }
}

export function describeFailure(f: DataTestFailure): string {
  const where = [f.businessId ? `business ${f.businessId}` : "", f.period ? `period ${f.period}` : ""].filter(Boolean).join(", ");
  const diff = f.difference !== null ? `difference ${f.difference}: ` : "";
  return `${where || "(dataset)"}: ${diff}${f.detail}`;
}

/** A data test failed: the models were built and committed (to look into), and the run exits 1. */
export class DataTestsFailedError extends PipelineError {
  constructor(readonly info: ModelsRunInfo) {
    const failed = info.failedTests;
    const first = failed[0]?.failures[0];
    super(
      `${failed.length} data test(s) failed: ${failed.map((t) => `${t.name} (${t.failures.length})`).join(", ")}` +
        (first ? `; first: ${describeFailure(first)}` : ""),
      {
        hint: "the failures are listed above and in table sage__data_tests; the books in Sage need a look, or the load is incomplete",
      },
    );
  }
}
