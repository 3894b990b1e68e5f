export { CopyRowEncoder, escapeCopyText, stripNulDeep, toNaiveUtc } from "./copy-text.js";

/**
 * Load file formats normalize can write; a destination names the one it loads fastest:
 * `jsonl` (DuckDB reads it in place, the filesystem destination keeps it) or `copy_text`
 * (Postgres' COPY text format, streamed to COPY as is).
 */
export type LoadFileFormat = "jsonl" | "copy_text";

/**
 * Where a table's load file ends and the next begins, unless the destination asks for smaller
 * files (`Capabilities.loadFileMaxBytes`): a bound on any one file, not a tuning of speed.
 */
export const LOAD_FILE_MAX_BYTES = 64 * 1024 * 1024;

export const FILE_EXTENSIONS: Readonly<Record<LoadFileFormat, string>> = { jsonl: "jsonl", copy_text: "copy" };
