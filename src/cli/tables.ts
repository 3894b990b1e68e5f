/**
 * Rows per table on stdout: `rows` (what the dataset holds, or what was loaded) and, when given,
 * the rows this run loaded.
 */
export function printRowCounts(counts: Record<string, number>, loadedNow?: Record<string, number>): void {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) {
    process.stdout.write("No rows were loaded.\n");
    return;
  }
  const width = Math.max(5, ...entries.map(([t]) => t.length));
  const num = (n: number) => n.toLocaleString("en-US").padStart(9);
  const extra = loadedNow ? `  ${"this run".padStart(9)}` : "";
  const lines = [
    `${"table".padEnd(width)}  ${"rows".padStart(9)}${extra}`,
    `${"-".repeat(width)}  ${"-".repeat(9)}${loadedNow ? `  ${"-".repeat(9)}` : ""}`,
  ];
  for (const [t, n] of entries) lines.push(`${t.padEnd(width)}  ${num(n)}${loadedNow ? `  ${num(loadedNow[t] ?? 0)}` : ""}`);
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  lines.push(`${"total".padEnd(width)}  ${num(sum(counts))}${loadedNow ? `  ${num(sum(loadedNow))}` : ""}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}
