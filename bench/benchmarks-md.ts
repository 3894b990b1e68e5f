/**
 * The rewrite of BENCHMARKS.md after a bench run. Each bench owns only the body between its
 * `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` markers; everything else in the file (the header,
 * the hand-written `<!-- notes -->` block, notes between or after sections) is people's writing and
 * must survive a run byte for byte, wherever it sits. So the rewrite splices bodies in place instead of
 * rebuilding the file from the sections it parsed (which is how the notes used to get lost).
 */

/** The start of a BENCHMARKS.md that does not exist yet. */
export const HEADER = `# Benchmarks\n\nProduced by \`npm run bench\` (each section by its \`bench/<name>.bench.ts\`). Numbers are ratios against a baseline measured in the same run, because the machines are noisy.\n\n`;

/**
 * `text` is the file as it is (undefined when absent); `regenerated` maps a bench name to its new
 * section body. A section the file has is replaced where it stands; a new one is appended at the end,
 * so text that follows a section (usually about it) stays next to it.
 */
export function rewriteBenchmarks(text: string | undefined, regenerated: ReadonlyMap<string, string>): string {
  let out = text ?? HEADER;
  for (const [name, body] of regenerated) {
    const open = `<!-- bench:${name} -->\n`;
    const close = `<!-- /bench:${name} -->`;
    const start = out.indexOf(open);
    if (start < 0) {
      out = `${withBlankLine(out)}${open}${body}${close}\n`;
      continue;
    }
    const from = start + open.length;
    const end = out.indexOf(close, from);
    if (end < 0) {
      throw new Error(
        `BENCHMARKS.md: "${open.trim()}" has no "${close}" after it; add the end marker after that section's text, then run the bench again`,
      );
    }
    if (out.indexOf(open, from) >= 0) {
      throw new Error(`BENCHMARKS.md: "${open.trim()}" appears twice; keep one section for "${name}", then run the bench again`);
    }
    out = `${out.slice(0, from)}${body}${out.slice(end)}`;
  }
  return out;
}

/** `text` ending in one blank line (or empty), so an appended section is set apart like the others. */
function withBlankLine(text: string): string {
  if (text === "" || text.endsWith("\n\n")) return text;
  return text.endsWith("\n") ? `${text}\n` : `${text}\n\n`;
}
