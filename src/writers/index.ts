export { CopyRowEncoder, escapeCopyText, stripNulDeep, toNaiveUtc } from "./copy-text.js";

/**
 * Load file formats normalize can write; a destination names the one it loads fastest:
 * `jsonl` (DuckDB reads it in place, the filesystem destination keeps it) or `copy_text`
 * (Postgres' COPY text format, streamed to COPY as is).
 */
export type LoadFileFormat = "jsonl" | "copy_text";

export const FILE_EXTENSIONS: Readonly<Record<LoadFileFormat, string>> = { jsonl: "jsonl", copy_text: "copy" };
