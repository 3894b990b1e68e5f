import type { FreshColumns } from "./column-order.js";
import { packageFile } from "../package/files.js";
import type { ExtractedManifest, RawFile, RejectedItem, ResourceManifest, RootTableEntry } from "../package/format.js";
import type { Schema } from "../schema/schema.js";
import { type ColumnHint, resolveContract } from "../schema/types.js";
import { DataError, TransientError } from "../util/errors.js";
import { forEachLine } from "../util/line-reader.js";
import type { LoadFileFormat } from "../writers/index.js";
import type { KeyIndex } from "./key-index.js";
import type { NamingConvention } from "./naming.js";
import {
  type DecimalOverflow,
  type NormalizerStats,
  RelationalNormalizer,
  type RootHints,
  SchemaContractViolation,
} from "./relational.js";
import { TableWriter, type WrittenFile } from "./table-writer.js";

export interface FilesInput {
  extractedDir: string;
  jobsDir: string;
  manifest: ExtractedManifest;
  /** The raw files to read, in package order. */
  files: RawFile[];
  /** Evolved in place. */
  schema: Schema;
  naming: NamingConvention;
  detectDates: boolean;
  format: LoadFileFormat;
  maxFileBytes?: number;
  /** `[normalize] max_table_nesting`: the levels of a resource that sets none. */
  maxTableNesting: number;
}

export interface FilesResult {
  written: WrittenFile[];
  rowCounts: Record<string, number>;
  roots: RootTableEntry[];
  stats: NormalizerStats;
  superseded: Map<string, string[]>;
  /** Per merge table: key → `_dlt_id` of the last row with that key (to dedup across parts). */
  lastByKey: Map<string, KeyIndex>;
  /** Per `table.column`: numbers too large for its decimal type (see RelationalNormalizer.overflows). */
  overflows: Map<string, DecimalOverflow>;
  /** Items that could not be normalized, in file order. */
  rejected: RejectedItem[];
  /** Columns these files created, per table, with their earliest row position (column-order.ts). */
  fresh: FreshColumns;
}

const MAX_ITEM_TEXT = 2000;

function scalarField(v: unknown): string | undefined {
  return typeof v === "string" || typeof v === "number" || typeof v === "bigint" ? String(v) : undefined;
}

/** The URL of the page line `lineNo` of `f` came from: the last page that starts at or before it. */
function pageOf(f: RawFile, lineNo: number): string | undefined {
  const pages = f.pages;
  if (!pages?.length) return undefined;
  let lo = 0;
  let hi = pages.length - 1;
  let found: string | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = pages[mid]!;
    if (p.line <= lineNo) {
      found = p.url;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** " (page https://…)" for a message, or nothing when the file does not know its pages. */
function pageNote(f: RawFile, lineNo: number): string {
  const url = pageOf(f, lineNo);
  return url === undefined ? "" : `, page ${url}`;
}

/** Where a rejected item came from and why (its business, id and page when known). */
function rejectedItem(
  loadId: string,
  f: RawFile,
  table: string,
  index: number,
  line: string,
  item: unknown,
  err: unknown,
): RejectedItem {
  const obj = item !== null && typeof item === "object" ? (item as Record<string, unknown>) : {};
  const business = scalarField(obj.business_id);
  const id = scalarField(obj.id);
  const page = pageOf(f, index);
  const reason =
    err instanceof Error
      ? err instanceof RangeError
        ? `the item is nested too deeply to normalize (${err.message})`
        : err.message
      : String(err);
  return {
    loadId,
    resource: f.resource,
    table,
    ...(business !== undefined ? { business } : {}),
    ...(id !== undefined ? { id } : {}),
    file: f.file,
    index,
    ...(page !== undefined ? { page } : {}),
    reason,
    item: line.length > MAX_ITEM_TEXT ? `${line.slice(0, MAX_ITEM_TEXT)}…` : line,
  };
}

function rootHints(r: ResourceManifest, table: string, naming: NamingConvention, maxTableNesting: number): RootHints {
  const columns = new Map<string, ColumnHint>();
  for (const [key, hint] of Object.entries(r.columns ?? {})) columns.set(naming.normalizePath(key), hint);
  const pk = r.primaryKey?.map((k) => naming.normalizeIdentifier(k));
  const mk = r.mergeKey?.map((k) => naming.normalizeIdentifier(k));
  return {
    resource: r.name,
    table,
    writeDisposition: r.writeDisposition,
    ...(pk ? { primaryKey: pk } : {}),
    ...(mk ? { mergeKey: mk } : {}),
    columns,
    maxTableNesting: r.maxTableNesting ?? maxTableNesting,
    contract: resolveContract(r.schemaContract),
  };
}

/**
 * Normalize some raw files of a package into load files: the work of one thread. Every root
 * table of the package is registered, also those of resources with no rows (a replace with
 * nothing still empties its tables).
 */
/** Writing a load file failed (ENOSPC, EIO, a folder gone): the normalize fails; run again. */
class LoadFileWriteFailed extends TransientError {}

export function normalizeFiles(input: FilesInput): FilesResult {
  const { extractedDir, manifest, schema, naming } = input;
  const writers = new Map<string, TableWriter>();
  const rowCounts: Record<string, number> = {};
  const emit = (table: string, row: Record<string, unknown>) => {
    let w = writers.get(table);
    if (!w) {
      const t = schema.get(table)!;
      w = new TableWriter(table, input.jobsDir, input.format, () => Object.values(t.columns), input.maxFileBytes);
      writers.set(table, w);
    }
    try {
      w.write(row);
    } catch (err) {
      // A load file that cannot be written is the package's failure, not the item's: quarantining
      // every item of a full or missing disk would "load" a package with none of its rows.
      throw new LoadFileWriteFailed(
        `package ${manifest.loadId}: writing a load file of table ${table} in ${input.jobsDir} failed (${(err as Error).message})`,
        {
          hint: "check that the pipeline's working folder exists and its disk has space, then run again: nothing was loaded",
          cause: err,
        },
      );
    }
    rowCounts[table] = (rowCounts[table] ?? 0) + 1;
  };
  const normalizer = new RelationalNormalizer(schema, naming, manifest.loadId, emit, input.detectDates);

  const resources = new Map(manifest.resources.map((r) => [r.name, r]));
  const roots = new Map<string, RootTableEntry>();
  const register = (r: ResourceManifest, rawTable: string): string => {
    const table = naming.normalizeIdentifier(rawTable);
    if (!roots.has(table)) {
      normalizer.registerRoot(rootHints(r, table, naming, input.maxTableNesting));
      roots.set(table, { table, resource: r.name, writeDisposition: r.writeDisposition });
    }
    return table;
  };
  for (const r of manifest.resources) if (r.tableName !== undefined) register(r, r.tableName);
  // Dynamic table names of every file, so that every part registers the same roots in order.
  for (const f of manifest.files) {
    const r = resources.get(f.resource);
    if (!r) throw new Error(`package ${manifest.loadId}: file ${f.file} names unknown resource ${f.resource}`);
    register(r, f.table);
  }

  const rejected: RejectedItem[] = [];
  for (const f of input.files) {
    const table = naming.normalizeIdentifier(f.table);
    forEachLine(packageFile(extractedDir, f.file), (line, lineNo) => {
      let item: unknown;
      try {
        item = JSON.parse(line);
      } catch (err) {
        throw new DataError(
          `package ${manifest.loadId}: ${f.file} line ${lineNo}${pageNote(f, lineNo)} is not valid JSON (${(err as Error).message})`,
          {
            hint: "the extracted package is damaged; drop it with `sage-pipeline pipeline <name> drop-pending-packages` and run again",
          },
        );
      }
      try {
        normalizer.normalizeItem(table, item);
      } catch (err) {
        if (err instanceof LoadFileWriteFailed) throw err;
        if (err instanceof SchemaContractViolation) {
          const business = scalarField((item as Record<string, unknown> | null)?.business_id);
          // The violation's message names the resource; say which item, business and page.
          const who = business !== undefined ? `business ${business}, ` : "";
          throw new DataError(`${err.message} (${who}item ${lineNo} of ${f.file}${pageNote(f, lineNo)})`, {
            hint: err.hint,
            cause: err,
          });
        }
        // Any other failure is this item's alone: it is quarantined and the package goes on.
        rejected.push(rejectedItem(manifest.loadId, f, table, lineNo, line, item, err));
      }
    });
  }

  const written: WrittenFile[] = [];
  for (const w of writers.values()) written.push(...w.close());
  return {
    written,
    rowCounts,
    roots: [...roots.values()],
    stats: { ...normalizer.stats },
    superseded: normalizer.superseded,
    lastByKey: normalizer.lastByKey,
    overflows: normalizer.overflows,
    rejected,
    fresh: normalizer.freshColumns,
  };
}
