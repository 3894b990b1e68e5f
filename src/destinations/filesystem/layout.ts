import { LOADS_TABLE, STATE_TABLE, VERSION_TABLE } from "../../schema/system-tables.js";

/**
 * Where things live in a filesystem dataset (dlt's layout, reference §4.4):
 *   <dataset>/<table>/<load_id>.<file_id>.<ext>
 *   <dataset>/_dlt_loads/<schema>__<load_id>.jsonl                    the commit marker of a load
 *   <dataset>/_dlt_version/<schema>__<load_id>__<version_hash>.jsonl
 *   <dataset>/_dlt_pipeline_state/<pipeline>__<load_id>__<version_hash>.jsonl
 * Names are parsed from the right, anchored on the load id (digits and one dot) and on the hash
 * (no dot in it), so pipeline and schema names may contain `__` (unlike dlt, #3427).
 */
export type DataFormat = "jsonl" | "jsonl.gz" | "parquet";

const LOAD_ID = String.raw`(\d+\.\d+)`;
const DATA_RE = new RegExp(String.raw`^${LOAD_ID}\.([A-Za-z0-9_-]+)\.(jsonl\.gz|jsonl|parquet)$`);
const MARKER_RE = new RegExp(String.raw`^(.+)__${LOAD_ID}\.jsonl$`);
const HASHED_RE = new RegExp(String.raw`^(.+)__${LOAD_ID}__([A-Za-z0-9_-]*)\.jsonl$`);

export interface DataFile {
  key: string;
  table: string;
  loadId: string;
  fileId: string;
  format: DataFormat;
}

export interface NamedFile {
  key: string;
  /** The schema or pipeline name. */
  name: string;
  loadId: string;
  hash?: string;
}

export function dataKey(dataset: string, table: string, loadId: string, fileId: string, format: DataFormat): string {
  return `${dataset}/${table}/${loadId}.${fileId}.${format}`;
}

export function markerKey(dataset: string, schemaName: string, loadId: string): string {
  return `${dataset}/${LOADS_TABLE}/${schemaName}__${loadId}.jsonl`;
}

export function versionKey(dataset: string, schemaName: string, loadId: string, hash: string): string {
  return `${dataset}/${VERSION_TABLE}/${schemaName}__${loadId}__${hash}.jsonl`;
}

export function stateKey(dataset: string, pipelineName: string, loadId: string, hash: string): string {
  return `${dataset}/${STATE_TABLE}/${pipelineName}__${loadId}__${hash}.jsonl`;
}

/** Split `<dataset>/<folder>/<file>` into folder and file name, or undefined for other keys. */
function split(dataset: string, key: string): { folder: string; file: string } | undefined {
  if (!key.startsWith(`${dataset}/`)) return undefined;
  const rest = key.slice(dataset.length + 1);
  const slash = rest.indexOf("/");
  if (slash <= 0 || rest.indexOf("/", slash + 1) >= 0) return undefined;
  return { folder: rest.slice(0, slash), file: rest.slice(slash + 1) };
}

export type ParsedKey = { kind: "data"; file: DataFile } | { kind: "marker" | "version" | "state"; file: NamedFile };

/** What a key in a dataset is, or undefined for anything else (temporaries, foreign files). */
export function parseKey(dataset: string, key: string): ParsedKey | undefined {
  const s = split(dataset, key);
  if (!s) return undefined;
  if (s.folder === LOADS_TABLE) {
    const m = MARKER_RE.exec(s.file);
    return m ? { kind: "marker", file: { key, name: m[1]!, loadId: m[2]! } } : undefined;
  }
  if (s.folder === VERSION_TABLE || s.folder === STATE_TABLE) {
    const m = HASHED_RE.exec(s.file);
    if (!m) return undefined;
    return { kind: s.folder === VERSION_TABLE ? "version" : "state", file: { key, name: m[1]!, loadId: m[2]!, hash: m[3]! } };
  }
  const m = DATA_RE.exec(s.file);
  if (!m) return undefined;
  return { kind: "data", file: { key, table: s.folder, loadId: m[1]!, fileId: m[2]!, format: m[3] as DataFormat } };
}
