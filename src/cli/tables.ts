/** A two-column table of rows per table, on stdout. */
export function printRowCounts(counts: Record<string, number>): void {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) {
    process.stdout.write("No rows were loaded.\n");
    return;
  }
  const width = Math.max(5, ...entries.map(([t]) => t.length));
  const lines = [`${"table".padEnd(width)}  rows`, `${"-".repeat(width)}  ${"-".repeat(8)}`];
  for (const [t, n] of entries) lines.push(`${t.padEnd(width)}  ${n.toLocaleString("en-US").padStart(8)}`);
  const total = entries.reduce((a, [, n]) => a + n, 0);
  lines.push(`${"total".padEnd(width)}  ${total.toLocaleString("en-US").padStart(8)}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}
