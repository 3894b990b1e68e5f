import { parentPort, workerData } from "node:worker_threads";
import type { ExtractedManifest, RawFile } from "../package/format.js";
import { Schema, type StoredSchema } from "../schema/schema.js";
import { PipelineError } from "../util/errors.js";
import type { LoadFileFormat } from "../writers/index.js";
import type { PackedKeys } from "./key-index.js";
import { NamingConvention } from "./naming.js";
import { normalizeFiles } from "./normalize-files.js";
import type { DecimalOverflow } from "./relational.js";

/** What the main thread sends each worker: one contiguous part of a package's raw files. */
export interface WorkerInput {
  extractedDir: string;
  jobsDir: string;
  manifest: ExtractedManifest;
  files: RawFile[];
  schema: StoredSchema;
  maxLength: number | undefined;
  detectDates: boolean;
  format: LoadFileFormat;
  maxFileBytes?: number;
  maxTableNesting: number;
}

export type WorkerOutput =
  | {
      ok: true;
      schema: StoredSchema;
      result: Omit<ReturnType<typeof normalizeFiles>, "superseded" | "lastByKey" | "overflows" | "fresh"> & {
        superseded: Array<[string, string[]]>;
        fresh: Array<[string, Array<[string, number]>]>;
        lastByKey: Array<[string, PackedKeys]>;
        overflows: Array<[string, DecimalOverflow]>;
      };
    }
  | { ok: false; error: { message: string; hint?: string; data: boolean } };

// The worker entry: normalize the part with a copy of the schema and report what it added.
if (parentPort && workerData) {
  const input = workerData as WorkerInput;
  let out: WorkerOutput;
  // The key indexes' buffers move to the main thread instead of being copied (key-index.ts).
  const transfer: ArrayBuffer[] = [];
  try {
    const schema = Schema.fromJSON(input.schema);
    const r = normalizeFiles({
      extractedDir: input.extractedDir,
      jobsDir: input.jobsDir,
      manifest: input.manifest,
      files: input.files,
      schema,
      naming: new NamingConvention(input.maxLength),
      detectDates: input.detectDates,
      format: input.format,
      maxTableNesting: input.maxTableNesting,
      ...(input.maxFileBytes !== undefined ? { maxFileBytes: input.maxFileBytes } : {}),
    });
    out = {
      ok: true,
      schema: schema.toJSON(),
      result: {
        written: r.written,
        rowCounts: r.rowCounts,
        roots: r.roots,
        stats: r.stats,
        superseded: [...r.superseded],
        lastByKey: [...r.lastByKey].map(([t, k]) => {
          transfer.push(...k.transferList());
          return [t, k.pack()];
        }),
        overflows: [...r.overflows],
        rejected: r.rejected,
        fresh: [...r.fresh].map(([t, m]) => [t, [...m]]),
      },
    };
  } catch (err) {
    out = {
      ok: false,
      error: {
        message: err instanceof Error ? err.message : String(err),
        ...(err instanceof PipelineError && err.hint ? { hint: err.hint } : {}),
        data: err instanceof Error && err.name === "DataError",
      },
    };
  }
  parentPort.postMessage(out, transfer);
}
