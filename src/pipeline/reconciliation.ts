import type { ReconcileResult } from "../destinations/destination.js";

/** One reconciliation as the working dir keeps it (the newest per resource and part), for `show`. */
export interface ReconcileRecord extends ReconcileResult {
  loadId: string;
  /** The source's name for the counts (`Sage`), from the package's schema. */
  source: string;
}

/** How the LoadInfo text and warnings name where the keys came from. */
export function sourceWord(schemaName: string): string {
  return /^sage/i.test(schemaName) ? "Sage" : "the source";
}

/** The reconciliations of some loaded packages, each with its load id and source's name. */
export function recordsOf(
  packages: ReadonlyArray<{ loadId: string; schemaName: string; reconciled?: ReconcileResult[] }>,
): ReconcileRecord[] {
  return packages.flatMap((p) => (p.reconciled ?? []).map((r) => ({ ...r, loadId: p.loadId, source: sourceWord(p.schemaName) })));
}

/** What the source says it holds: its `$total`, else the keys it listed. */
export function inSource(r: ReconcileResult): number {
  return r.total ?? r.listed;
}

function partText(r: ReconcileResult): string {
  const part =
    r.label ??
    Object.entries(r.partition)
      .map(([k, v]) => `${k} = ${String(v)}`)
      .join(", ");
  return part ? ` of ${part}` : "";
}

/**
 * A part whose live rows, once the rows gone from the source were applied, still differ from
 * what the source says it holds: not explained by deletes. Names resource, part and both numbers.
 */
export function reconcileWarning(r: ReconcileRecord): string | undefined {
  const want = inSource(r);
  if (want === r.live) return undefined;
  const listed = r.total !== undefined && r.total !== r.listed ? `; its list of ids had ${r.listed}` : "";
  return `${r.resource}${partText(r)}: ${want} in ${r.source}, ${r.live} loaded (not explained by deletes${listed})`;
}

/** `contacts: 250 in Sage, 250 loaded` per resource (its parts summed), with what went. */
export function reconcileLines(records: ReconcileRecord[]): string[] {
  const byResource = new Map<string, ReconcileRecord[]>();
  for (const r of records) {
    const list = byResource.get(r.resource) ?? [];
    list.push(r);
    byResource.set(r.resource, list);
  }
  const lines: string[] = [];
  for (const [resource, list] of byResource) {
    const sum = (f: (r: ReconcileRecord) => number) => list.reduce((n, r) => n + f(r), 0);
    const removed = sum((r) => r.removed);
    const marked = sum((r) => r.marked);
    const gone = [removed > 0 ? `${removed} removed` : "", marked > 0 ? `${marked} marked deleted` : ""].filter(Boolean);
    const parts = list.length > 1 ? ` over ${list.length} parts` : "";
    lines.push(
      `${resource}: ${sum(inSource)} in ${list[0]!.source}, ${sum((r) => r.live)} loaded${parts}${gone.length > 0 ? ` (gone from ${list[0]!.source}: ${gone.join(", ")})` : ""}`,
    );
  }
  return lines;
}

/** The newest record per (resource, part): `previous` updated with `records`. */
export function mergeRecords(previous: ReconcileRecord[], records: ReconcileRecord[]): ReconcileRecord[] {
  const key = (r: ReconcileRecord) => `${r.resource}\u0000${JSON.stringify(r.partition)}`;
  const out = new Map(previous.map((r) => [key(r), r]));
  for (const r of records) out.set(key(r), r);
  return [...out.values()].sort((a, b) => a.resource.localeCompare(b.resource) || (a.label ?? "").localeCompare(b.label ?? ""));
}
