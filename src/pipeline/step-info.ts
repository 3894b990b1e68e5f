import type { IncompleteResource } from "../package/format.js";
import { describeIncomplete } from "./load-info.js";

/** What `extract()` returns. */
export class ExtractInfo {
  constructor(
    readonly pipelineName: string,
    readonly loadId: string,
    readonly items: Record<string, number>,
    /** Resources (or partitions of them) not read completely; `run()` fails with them after loading the rest. */
    readonly incomplete: IncompleteResource[] = [],
  ) {}

  toString(): string {
    const lines = [`Extracted load package ${this.loadId} of pipeline ${this.pipelineName}:`];
    for (const [r, n] of Object.entries(this.items)) lines.push(`- ${r}: ${n} item(s)`);
    for (const i of this.incomplete) lines.push(`- INCOMPLETE ${describeIncomplete(i)}`);
    return lines.join("\n");
  }
}

/** What `normalize()` returns; prints dlt's NormalizeInfo text. */
export class NormalizeInfo {
  constructor(
    readonly pipelineName: string,
    readonly loadIds: string[],
    readonly rowCounts: Record<string, number>,
  ) {}

  toString(): string {
    const tables = Object.entries(this.rowCounts);
    const head =
      tables.length === 0
        ? "No data found to normalize"
        : `Normalized data for the following tables:\n${tables.map(([t, n]) => `- ${t}: ${n} row(s)`).join("\n")}`;
    return `${head}\n${this.loadIds.map((id) => `Load package ${id} is NORMALIZED and NOT YET LOADED to the destination`).join("\n")}`;
  }
}
