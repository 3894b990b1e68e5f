import { type NormalizedManifest, compareLoadIds, newLoadId, newPackageId } from "../package/format.js";
import { Schema } from "../schema/schema.js";
import { ConfigError } from "../util/errors.js";
import { didYouMean } from "../util/suggest.js";
import { type PipelineState, bumpVersion, newState } from "./state.js";
import type { WorkingDir } from "./working-dir.js";

/** What dropping resources of one schema (= one source) removes. */
export interface SchemaDrop {
  schemaName: string;
  resources: string[];
  /** Every table of those resources, child tables before their parents. */
  tables: string[];
  /** Leaf paths of the state that go (`sources.<source>.resources.<resource>.businesses.<id>.<cursor>`). */
  stateKeys: string[];
}

/** What `pipeline X drop RESOURCE...` will do, computed from the working dir alone (nothing is written). */
export interface DropPlan {
  pipelineName: string;
  schemas: SchemaDrop[];
  /** The working dir's state version the plan was made from (a drop applies only to that one). */
  stateVersion: number;
  /** Reconciliation records (`reconciliation.json`) of the dropped resources, removed after the commit. */
  reconciliationRecords: number;
}

function leafPaths(value: unknown, path: string, out: string[]): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leafPaths(v, `${path}.${k}`, out);
  } else {
    out.push(path);
  }
}

/** The resources a schema knows: root tables' resources and the state's resource slots. */
function knownResources(schema: Schema | undefined, state: PipelineState, schemaName: string): Set<string> {
  const names = new Set<string>();
  for (const t of schema?.tables.values() ?? []) if (!t.parent && t.resource) names.add(t.resource);
  for (const r of Object.keys(state.sources[schemaName]?.resources ?? {})) names.add(r);
  return names;
}

/**
 * dlt's `pipeline drop`: the tables of the named resources (root and nested) and their state
 * (incremental cursors per business, reconciliation times) as they are in the working dir.
 * Unknown names are a ConfigError naming the closest resource. Pending packages refuse: their
 * rows and state were made with the tables this would drop.
 */
export function planDrop(workingDir: WorkingDir, pipelineName: string, resources: readonly string[]): DropPlan {
  if (resources.length === 0) {
    throw new ConfigError("name the resource(s) to drop", { hint: `sage-pipeline pipeline ${pipelineName} drop RESOURCE...` });
  }
  const store = workingDir.packages;
  const pending = [...store.list("extracted"), ...store.list("normalized")];
  if (pending.length > 0) {
    throw new ConfigError(`pipeline ${pipelineName} has ${pending.length} package(s) not loaded yet (${pending.join(", ")})`, {
      hint: "load them first with `sage-pipeline run`, or discard them: sage-pipeline pipeline NAME drop-pending-packages",
    });
  }
  const state = workingDir.readState() ?? newState(pipelineName, "");
  const schemaNames = [...new Set([...state.schemaNames, ...workingDir.schemaNames()])].sort();
  const perSchema = schemaNames.map((name) => ({ name, schema: workingDir.readSchema(name) }));
  const all = new Set(perSchema.flatMap(({ name, schema }) => [...knownResources(schema, state, name)]));
  for (const r of resources) {
    if (!all.has(r)) {
      throw new ConfigError(`pipeline ${pipelineName} has no resource ${r}${didYouMean(r, [...all].sort())}`, {
        hint: `the resources it loaded are listed by: sage-pipeline pipeline ${pipelineName} info`,
      });
    }
  }
  const schemas: SchemaDrop[] = [];
  for (const { name, schema } of perSchema) {
    const mine = resources.filter((r) => knownResources(schema, state, name).has(r));
    if (mine.length === 0) continue;
    const tables: string[] = [];
    for (const t of schema?.tables.values() ?? []) {
      if (t.parent || !t.resource || !mine.includes(t.resource)) continue;
      // Deepest first: a child table never outlives its parent, even for a moment.
      tables.push(
        ...schema!
          .descendants(t.name)
          .map((c) => c.name)
          .reverse(),
        t.name,
      );
    }
    const stateKeys: string[] = [];
    const slots = state.sources[name]?.resources ?? {};
    for (const r of mine) if (r in slots) leafPaths(slots[r], `sources.${name}.resources.${r}`, stateKeys);
    schemas.push({ schemaName: name, resources: mine, tables, stateKeys });
  }
  const dropped = new Set(resources);
  return {
    pipelineName,
    schemas,
    stateVersion: state._stateVersion,
    reconciliationRecords: workingDir.readReconciliation().filter((r) => dropped.has(r.resource)).length,
  };
}

/**
 * Write the plan as one load package per schema into `normalized/`: no jobs, the schema without
 * the tables (version + 1), the state without the resources, and the tables to drop. The load
 * that commits it drops the tables in the same transaction that stores the new schema version
 * and state, so the destination never has the tables gone while its state still has their
 * cursors (or the reverse). Returns the load ids.
 */
export function writeDropPackages(workingDir: WorkingDir, plan: DropPlan, datasetName: string): string[] {
  const store = workingDir.packages;
  const state = structuredClone(workingDir.readState() ?? newState(plan.pipelineName, datasetName));
  for (const s of plan.schemas) {
    const source = state.sources[s.schemaName];
    if (source?.resources) {
      const gone = new Set(s.resources);
      source.resources = Object.fromEntries(Object.entries(source.resources).filter(([r]) => !gone.has(r)));
    }
  }
  const stateChanged = bumpVersion(state);
  const ids: string[] = [];
  let last = [store.lastLoadId(), state._local?.lastLoadId]
    .filter((x): x is string => !!x)
    .sort(compareLoadIds)
    .pop();
  for (const [i, s] of plan.schemas.entries()) {
    const schema = workingDir.readSchema(s.schemaName)?.clone() ?? new Schema(s.schemaName);
    for (const t of s.tables) schema.tables.delete(t);
    schema.version++;
    const loadId = newLoadId(last);
    last = loadId;
    const now = new Date().toISOString();
    const manifest: NormalizedManifest = {
      loadId,
      packageId: newPackageId(),
      pipelineName: plan.pipelineName,
      sourceName: s.schemaName,
      schemaName: s.schemaName,
      createdAt: now,
      normalizedAt: now,
      jobs: [],
      rootTables: [],
      rowCounts: {},
      superseded: {},
      stats: { discardedRows: 0, discardedValues: 0, variantValues: 0 },
      // The state goes with the first package; the others carry the same one.
      stateChanged: stateChanged && i === 0,
      warnings: [],
      drop: { resources: s.resources, tables: s.tables },
    };
    store.writeNormalizedPackage(manifest, schema.toJSON(), state);
    ids.push(loadId);
  }
  return ids;
}
