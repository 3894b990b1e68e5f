/** One cell per column; numbers are right-aligned with thousands separators. */
export type Cell = string | number | boolean | null | undefined;

function text(cell: Cell): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "number") return cell.toLocaleString("en-US");
  if (typeof cell === "boolean") return cell ? "yes" : "no";
  return cell;
}

/**
 * A plain-text table for the terminal: a header, a rule, one line per row. Plain spaces only, so it
 * reads the same without a TTY, in a pipe and in a log.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = rows.map((r) => headers.map((_, i) => text(r[i])));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number" || r[i] == null));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}
