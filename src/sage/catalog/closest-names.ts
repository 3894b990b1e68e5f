/** Names within a small edit distance of `wanted` (or sharing a prefix), best first. */
export function closestNames(wanted: string, names: readonly string[], limit: number): string[] {
  const maxDistance = Math.max(2, Math.floor(wanted.length / 3));
  return names
    .map((name) => ({ name, d: distance(wanted, name) }))
    .filter(({ name, d }) => d <= maxDistance || (wanted.length >= 4 && (name.startsWith(wanted) || wanted.startsWith(name))))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((x) => x.name);
}

/** Levenshtein distance with one rolling row. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + cost);
      prev = tmp;
    }
  }
  return row[b.length]!;
}
