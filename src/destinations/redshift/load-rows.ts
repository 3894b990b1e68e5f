import { basename } from "node:path";
import { lineBlocks } from "../line-blocks.js";
import type { LoadJob } from "../destination.js";
import { LoadError } from "../sql/job-client.js";

const DAMAGED = "the load package is damaged; drop it with `sage-pipeline pipeline <name> drop-pending-packages` and run again";

/**
 * The rows of a jsonl load file, one parsed line at a time, never the whole file in memory.
 * Redshift loads only what normalize writes for it (jsonl): a package normalized for another
 * destination's format (copy_text) is refused with the reason.
 */
export async function* loadRows(table: string, job: LoadJob): AsyncGenerator<Record<string, unknown>> {
  if (job.format !== undefined && job.format !== "jsonl") {
    throw new LoadError(`table ${table}: load file ${basename(job.path)} is ${job.format}, Redshift loads jsonl files`, {
      hint: "the package was normalized for another destination; drop it with `sage-pipeline pipeline <name> drop-pending-packages` and run again",
    });
  }
  let lineNo = 0;
  for await (const block of lineBlocks(job.path)) {
    for (const line of block.split("\n")) {
      lineNo++;
      if (line.length === 0) continue;
      try {
        yield JSON.parse(line) as Record<string, unknown>;
      } catch (err) {
        throw new LoadError(
          `table ${table}: load file ${job.path} line ${lineNo} is not valid JSON (${(err as Error).message})`,
          {
            cause: err,
            hint: DAMAGED,
          },
        );
      }
    }
  }
}
