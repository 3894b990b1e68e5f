import type { ResourceManifest } from "../package/format.js";
import { logger } from "../util/logger.js";
import { IncrementalCursor, type IncrementalState } from "./incremental.js";
import type { IncompletePart, KeySetReport, Resource, ResourceContext, SkippedPart } from "./resource.js";
import type { Source } from "./source.js";
import { resourceManifestEntry } from "./manifest.js";
import { reasonText } from "./completeness.js";

/** `state.sources[<source>]`: shared source state plus one slot per resource. */
export interface SourceState {
  resources?: Record<string, ResourceState>;
  [key: string]: unknown;
}
export interface ResourceState {
  incremental?: Record<string, IncrementalState>;
  [key: string]: unknown;
}

/**
 * One resource during one extract: its context (state slot, bound incremental), what it has
 * produced so far (the manifest entry counts pages and items) and the transformers it feeds.
 */
export interface ResourceNode {
  readonly resource: Resource;
  readonly ctx: ResourceContext;
  readonly cursor: IncrementalCursor | undefined;
  readonly manifest: ResourceManifest;
  readonly children: ResourceNode[];
  /** Its state slot as the run found it: put back when the resource fails. */
  readonly stateBefore: ResourceState;
  /** Parts it reported as not read completely (it went on with the rest). */
  readonly incomplete: IncompletePart[];
  /** Parts the resource left out on purpose (reported by the source, which also said so in its log). */
  readonly skipped: SkippedPart[];
  /** Key sets of parts it read in full (the reconciliation). */
  readonly keySets: KeySetReport[];
  /** Set when the resource (or the parent feeding it) threw: it stopped there. */
  failure?: unknown;
}

const log = logger("extract");

/** What the extract runs: every resource as a node, and the roots among them that must run. */
export interface ResourceGraph {
  nodes: ResourceNode[];
  roots: ResourceNode[];
}

/** Selected, or feeding a selected transformer somewhere below. */
export function isNeeded(n: ResourceNode): boolean {
  return n.resource.selected || n.children.some(isNeeded);
}

/** The node's transformers, their transformers, and so on. */
export function descendants(n: ResourceNode): ResourceNode[] {
  return n.children.flatMap((c) => [c, ...descendants(c)]);
}

/**
 * Bind every resource of the source to its state slot and incremental, and link transformers
 * to their parents. A transformer's parent runs even when it is not part of the source (it then
 * loads nothing); a parent runs when it or any descendant is selected.
 */
export function buildResourceGraph(source: Source, sourceState: SourceState, signal: AbortSignal): ResourceGraph {
  const resourcesState = (sourceState.resources ??= {});
  const byResource = new Map<Resource, ResourceNode>();
  const nodeFor = (r: Resource): ResourceNode => {
    const existing = byResource.get(r);
    if (existing) return existing;
    const slot: ResourceState = (resourcesState[r.name] ??= {});
    const inc = r.hints.incremental;
    const cursor = inc ? new IncrementalCursor(inc, r.name, slot.incremental?.[inc.cursorPath], r.primaryKey) : undefined;
    if (cursor) {
      log.info(
        `bind incremental on ${r.name}: initial ${JSON.stringify(cursor.initialValue)}, start ${JSON.stringify(cursor.startValue)}, end ${JSON.stringify(cursor.endValue)}`,
      );
    }
    const incomplete: IncompletePart[] = [];
    const keySets: KeySetReport[] = [];
    const skipped: SkippedPart[] = [];
    const resourceLog = logger(`resource:${r.name}`);
    const ctx: ResourceContext = {
      resourceName: r.name,
      sourceName: source.name,
      incremental: cursor,
      state: slot,
      sourceState,
      signal,
      log: resourceLog,
      reportIncomplete: (part) => {
        incomplete.push(part);
        resourceLog.warn(`${r.name}${part.label ? ` of ${part.label}` : ""} is incomplete: ${reasonText(part.reason)}`);
      },
      reportKeySet: (set) => {
        keySets.push(set);
      },
      reportSkipped: (part) => {
        skipped.push(part);
      },
    };
    const node: ResourceNode = {
      resource: r,
      cursor,
      children: [],
      ctx,
      manifest: resourceManifestEntry(r, source),
      stateBefore: structuredClone(slot),
      incomplete,
      keySets,
      skipped,
    };
    byResource.set(r, node);
    return node;
  };
  for (const r of source.resources.values()) {
    const n = nodeFor(r);
    if (r.parent) nodeFor(r.parent).children.push(n);
  }
  const nodes = [...byResource.values()];
  return { nodes, roots: nodes.filter((n) => !n.resource.parent && isNeeded(n)) };
}
