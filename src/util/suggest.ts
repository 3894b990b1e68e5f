/** Edit distance, for "did you mean". */
export function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] as number;
}

const camel = (k: string) => k.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * The candidate a mistyped key most likely meant: the camelCase form of a dlt snake_case key
 * (`data_selector` → `dataSelector`), a case slip, or the closest name within a third of its length.
 */
export function suggest(key: string, candidates: readonly string[]): { name: string; why?: string } | undefined {
  const c = camel(key);
  if (c !== key && candidates.includes(c)) return { name: c, why: "keys are camelCase" };
  const ci = candidates.find((x) => x.toLowerCase() === key.toLowerCase());
  if (ci) return { name: ci };
  let best: string | undefined;
  let bestD = Infinity;
  for (const cand of candidates) {
    const d = levenshtein(key.toLowerCase(), cand.toLowerCase());
    if (d < bestD) {
      best = cand;
      bestD = d;
    }
  }
  const limit = Math.max(1, Math.floor(key.length / 3));
  return best !== undefined && bestD <= limit ? { name: best } : undefined;
}

/** `, did you mean x?` or a list of what is allowed. */
export function didYouMean(key: string, candidates: readonly string[]): string {
  const s = suggest(key, candidates);
  if (s) return `, did you mean ${s.name}?${s.why ? ` (${s.why})` : ""}`;
  return candidates.length > 0 ? ` (allowed: ${candidates.join(", ")})` : "";
}
