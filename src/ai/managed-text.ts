import { createHash } from "node:crypto";

/**
 * Text this tool owns inside a file the user may also edit: a block between two markers, the
 * begin marker carrying a hash of the block as written. A block whose text no longer matches
 * its hash was edited by someone: it is only replaced with `--force`.
 */
const BEGIN = /<!-- sage-pipeline:begin (?:hash=([0-9a-f]{12}) )?-->/;
const END = "<!-- sage-pipeline:end -->";

function hashOf(body: string): string {
  return createHash("sha256").update(body).digest("hex").slice(0, 12);
}

export function managedBlock(body: string): string {
  return `<!-- sage-pipeline:begin hash=${hashOf(body)} -->\n${body}\n${END}`;
}

export type Outcome = "created" | "updated" | "unchanged";

export interface Merge {
  text: string;
  outcome: Outcome;
  /** Why the file cannot be written without `--force` (a user's edits would be lost). */
  conflict?: string;
}

/**
 * `existing` with our block replaced by `body` (or appended when the file has none).
 * `ownsFile`: the whole file is ours (a rule or skill file): `prefix` (front matter) comes first
 * and a file without our block is the user's.
 */
export function mergeManaged(
  existing: string | undefined,
  body: string,
  options: { ownsFile?: boolean; prefix?: string } = {},
): Merge {
  const prefix = options.prefix ?? "";
  const block = managedBlock(body);
  const fresh = `${prefix}${block}\n`;
  if (existing === undefined) return { text: fresh, outcome: "created" };
  const begin = BEGIN.exec(existing);
  const endAt = existing.indexOf(END);
  if (!begin || endAt < begin.index) {
    if (options.ownsFile) return { text: fresh, outcome: "updated", conflict: "it exists and was not written by sage-pipeline" };
    const sep = existing.length === 0 || existing.endsWith("\n\n") ? "" : existing.endsWith("\n") ? "\n" : "\n\n";
    return { text: `${existing}${sep}${block}\n`, outcome: "updated" };
  }
  const current = existing.slice(begin.index + begin[0].length + 1, endAt).replace(/\n$/, "");
  const before = options.ownsFile ? prefix : existing.slice(0, begin.index);
  const text = `${before}${block}${existing.slice(endAt + END.length)}`;
  if (text === existing) return { text, outcome: "unchanged" };
  const edited = begin[1] === undefined || hashOf(current) !== begin[1];
  return edited ? { text, outcome: "updated", conflict: "its sage-pipeline block was edited" } : { text, outcome: "updated" };
}
