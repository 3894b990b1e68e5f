import type { ExtractedManifest, IncompleteResource, RawFile, ResourceManifest } from "../package/format.js";
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
  const out: Outcome = { resources: [], files: [], incomplete: [] };
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
    if (!n.resource.selected) continue;
    if (s.inManifest) out.resources.push(n.manifest);
    out.incomplete.push(...incompleteEntries(n, s));
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
    createdAt: new Date().toISOString(),
    resources: outcome.resources,
    files: outcome.files,
    stateChanged,
    ...(outcome.incomplete.length > 0 ? { incomplete: outcome.incomplete } : {}),
  };
}
