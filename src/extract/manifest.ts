import { writeKeySet } from "../package/files.js";
import { newPackageId } from "../package/format.js";
import type {
  ExtractedManifest,
  IncompleteResource,
  KeySet,
  RawFile,
  ResourceManifest,
  SkippedResource,
} from "../package/format.js";
import type { Resource } from "./resource.js";
import type { Source } from "./source.js";
import type { ResourceNode, ResourceState } from "./resource-graph.js";
import { dropFiles, dropPartitionRows, incompleteEntries, settle } from "./completeness.js";

/** The manifest entry of a resource before it runs: its table hints, and counters at zero. */
export function resourceManifestEntry(r: Resource, source: Source): ResourceManifest {
  const tableName = typeof r.hints.tableName === "string" ? r.hints.tableName : r.hints.tableName ? undefined : r.name;
  const maxTableNesting = r.hints.maxTableNesting ?? source.options.maxTableNesting;
  const schemaContract = r.hints.schemaContract ?? source.options.schemaContract;
  return {
    name: r.name,
    ...(tableName !== undefined ? { tableName } : {}),
    writeDisposition: r.writeDisposition,
    ...(r.primaryKey ? { primaryKey: r.primaryKey } : {}),
    ...(r.mergeKey ? { mergeKey: r.mergeKey } : {}),
    ...(r.hints.columns ? { columns: r.hints.columns } : {}),
    ...(maxTableNesting !== undefined ? { maxTableNesting } : {}),
    ...(schemaContract !== undefined ? { schemaContract } : {}),
    items: 0,
    pages: 0,
  };
}

export interface Outcome {
  resources: ResourceManifest[];
  files: RawFile[];
  incomplete: IncompleteResource[];
  keySets: KeySet[];
  skipped: SkippedResource[];
}

/** Same partition: the same column values. */
function samePartition(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/**
 * The key sets a settled resource keeps: none when it threw or leaves the package (its rows did
 * not all arrive), none of a part it also reported incomplete; each written to `keys/<n>.json`.
 */
function keepKeySets(n: ResourceNode, inManifest: boolean, packageDir: string, out: KeySet[]): void {
  if (n.failure !== undefined || !inManifest || !n.resource.selected) return;
  for (const k of n.keySets) {
    if (n.incomplete.some((p) => p.partition === undefined || samePartition(p.partition, k.partition))) continue;
    const file = writeKeySet(packageDir, out.length, k.keys);
    out.push({
      resource: n.resource.name,
      partition: { ...k.partition },
      ...(k.label !== undefined ? { label: k.label } : {}),
      keyColumn: k.keyColumn,
      ...(k.total !== undefined ? { total: k.total } : {}),
      count: k.keys.length,
      file,
      mode: k.mode,
      deletion: k.deletion,
    });
  }
}

/**
 * Settle every resource after the run: write its state (or put the old one back), keep or drop
 * its raw rows by the rules of `completeness.ts`, and list what is incomplete. Mutates the
 * state slots in `resourcesState` and deletes or rewrites raw files in `packageDir`.
 */
export function settleResources(
  nodes: ResourceNode[],
  filesByResource: Map<Resource, RawFile[]>,
  resourcesState: Record<string, ResourceState>,
  packageDir: string,
): Outcome {
  const out: Outcome = { resources: [], files: [], incomplete: [], keySets: [], skipped: [] };
  for (const n of nodes) {
    const s = settle(n);
    let files = filesByResource.get(n.resource) ?? [];
    if (s.rows === "drop") {
      n.manifest.items -= dropFiles(packageDir, files);
      files = [];
    } else if (s.rows === "drop-partitions") {
      const partitions = n.incomplete.flatMap((p) => (p.partition ? [p.partition] : []));
      const result = dropPartitionRows(packageDir, files, partitions);
      n.manifest.items -= result.dropped;
      files = result.files;
    }
    if (s.state === "restore") resourcesState[n.resource.name] = structuredClone(n.stateBefore);
    else if (s.state === "commit" && n.cursor && !n.cursor.stateless) {
      const slot = resourcesState[n.resource.name] as ResourceState;
      slot.incremental = { ...(slot.incremental ?? {}), [n.cursor.spec.cursorPath]: n.cursor.state() };
    }
    out.files.push(...files);
    keepKeySets(n, s.inManifest, packageDir, out.keySets);
    if (!n.resource.selected) continue;
    if (s.inManifest) out.resources.push(n.manifest);
    out.incomplete.push(...incompleteEntries(n, s));
    for (const p of n.skipped) {
      out.skipped.push({
        resource: n.resource.name,
        ...(p.partition ? { partition: { ...p.partition } } : {}),
        ...(p.label !== undefined ? { label: p.label } : {}),
        reason: p.reason,
        ...(p.status !== undefined ? { status: p.status } : {}),
      });
    }
  }
  return out;
}

export interface ManifestHeader {
  loadId: string;
  pipelineName: string;
  sourceName: string;
  schemaName: string;
}

export function extractedManifest(header: ManifestHeader, outcome: Outcome, stateChanged: boolean): ExtractedManifest {
  return {
    ...header,
    packageId: newPackageId(),
    createdAt: new Date().toISOString(),
    resources: outcome.resources,
    files: outcome.files,
    stateChanged,
    ...(outcome.incomplete.length > 0 ? { incomplete: outcome.incomplete } : {}),
    ...(outcome.keySets.length > 0 ? { keySets: outcome.keySets } : {}),
    ...(outcome.skipped.length > 0 ? { skipped: outcome.skipped } : {}),
  };
}
