import type { KeySetDeletion } from "../package/format.js";
import type { ColumnHint, SchemaContract, WriteDisposition } from "../schema/types.js";
import { DataError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import type { Incremental, IncrementalCursor } from "./incremental.js";

export type Item = Record<string, unknown>;

/** What a resource function returns: pages (arrays) or single items, sync or async. */
export type ResourceOutput = Iterable<unknown> | AsyncIterable<unknown>;

/** Column values that pick out a part of a resource's root rows, e.g. `{ business_id: "b1" }`. */
export type Partition = Readonly<Record<string, string | number | boolean>>;

/** A part of a resource's data that this run could not read completely. */
export interface IncompletePart {
  /** Which root rows it covers; absent: the whole resource. */
  partition?: Partition;
  /** The partition in words, for messages: `business "Acme Ltd" (b1)`. */
  label?: string;
  /** Why: the error (its message is shown) or a sentence. */
  reason: unknown;
}

/**
 * A part the source left out on purpose because it is not there for this login: Sage answers 403
 * (no role in the area), 404 (not in the business's country or plan) or "no active subscription".
 * Nothing is missing from the run (it is complete); the trace lists it so `show` can say why.
 */
export interface SkippedPart {
  partition?: Partition;
  /** The partition in words: `business "Acme Ltd" (b1)`. */
  label?: string;
  /** Why, in words: `the user has no role in Sales (403)`. */
  reason: string;
  /** The HTTP status that said so, when one did. */
  status?: number;
}

/**
 * Every key the source holds for one part of a resource, listed in full this run: after the
 * package's rows are in, the destination's rows of that part with a key not in `keys` are gone
 * from the source and go as `deletion` says (`mode: "replace"`: removed whatever it says, so the
 * part holds exactly what was read; a full refresh). See `KeySet` in package/format.ts.
 */
export interface KeySetReport {
  partition: Partition;
  label?: string;
  keyColumn: string;
  keys: string[];
  /** What the source said it holds, when it said (Sage: `$total` of the first page). */
  total?: number;
  mode: "replace" | "deletions";
  deletion: KeySetDeletion;
}

/** Handed to every resource function when it runs. */
export interface ResourceContext {
  readonly resourceName: string;
  readonly sourceName: string;
  /** The bound incremental, when the resource declares one: read `startValue` to build requests. */
  readonly incremental: IncrementalCursor | undefined;
  /** This resource's own state: survives runs, committed together with the load that carries it. */
  readonly state: Record<string, unknown>;
  /** State shared by all resources of the source. */
  readonly sourceState: Record<string, unknown>;
  /** Aborted when the extract fails elsewhere or a limit is reached: stop paging. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /**
   * Say that a part was not read completely and go on with the rest. The engine then keeps the
   * resource's bound incremental where it was and applies the write disposition's rule for
   * partial reads (see `extract/completeness.ts`); the run ends incomplete (exit 1). A resource
   * with its own per-partition cursors in `state` must not advance the failed partition's.
   */
  readonly reportIncomplete: (part: IncompletePart) => void;
  /**
   * Say which keys the source holds for a part read in full (the reconciliation). Only parts the
   * run read completely may report one; a resource that fails loses its reports.
   */
  readonly reportKeySet: (set: KeySetReport) => void;
  /** Say that a part was left out on purpose (not there for this login); the run stays complete. */
  readonly reportSkipped: (part: SkippedPart) => void;
}

export type ResourceFn = (ctx: ResourceContext) => ResourceOutput | Promise<ResourceOutput>;
/** A transformer gets each page its parent produced and yields pages of its own. */
export type TransformerFn = (items: Item[], ctx: ResourceContext) => ResourceOutput | Promise<ResourceOutput>;

export type TableNameHint = string | ((item: Item) => string);

export interface ResourceHints {
  name?: string;
  tableName?: TableNameHint;
  primaryKey?: string | string[];
  mergeKey?: string | string[];
  writeDisposition?: WriteDisposition;
  columns?: Record<string, ColumnHint>;
  maxTableNesting?: number;
  schemaContract?: SchemaContract;
  incremental?: Incremental;
  /** Deselected resources still run when a selected transformer needs their data, but load nothing. */
  selected?: boolean;
  /** For transformers: run the pages of different parent items concurrently. */
  parallelized?: boolean;
}

type Step =
  | { kind: "map"; fn: (item: Item) => unknown }
  | { kind: "filter"; fn: (item: Item) => boolean }
  | { kind: "yieldMap"; fn: (item: Item) => Iterable<unknown> };

const NAME_RE = /\S/;

/**
 * A named producer of items with table hints. Resources are plain values: `applyHints`,
 * `addMap`... mutate in place and return `this`, like dlt's DltResource.
 */
export class Resource {
  name: string;
  hints: ResourceHints;
  readonly fn: ResourceFn | undefined;
  readonly transform: TransformerFn | undefined;
  readonly parent: Resource | undefined;
  readonly steps: Step[] = [];
  limit: number | undefined;

  constructor(init: { name: string; hints: ResourceHints; fn?: ResourceFn; transform?: TransformerFn; parent?: Resource }) {
    if (!init.name || !NAME_RE.test(init.name)) {
      throw new DataError("a resource needs a non-empty name", { hint: 'pass resource(fn, { name: "invoices" })' });
    }
    this.name = init.name;
    this.hints = { ...init.hints, name: init.name };
    this.fn = init.fn;
    this.transform = init.transform;
    this.parent = init.parent;
  }

  get selected(): boolean {
    return this.hints.selected !== false;
  }

  get writeDisposition(): WriteDisposition {
    return this.hints.writeDisposition ?? "append";
  }

  get primaryKey(): string[] | undefined {
    return this.hints.primaryKey === undefined ? undefined : ([] as string[]).concat(this.hints.primaryKey);
  }

  get mergeKey(): string[] | undefined {
    return this.hints.mergeKey === undefined ? undefined : ([] as string[]).concat(this.hints.mergeKey);
  }

  applyHints(hints: ResourceHints): this {
    if (hints.name !== undefined) this.name = hints.name;
    this.hints = { ...this.hints, ...hints, name: this.name };
    return this;
  }

  addMap(fn: (item: Item) => unknown): this {
    this.steps.push({ kind: "map", fn });
    return this;
  }

  addFilter(fn: (item: Item) => boolean): this {
    this.steps.push({ kind: "filter", fn });
    return this;
  }

  addYieldMap(fn: (item: Item) => Iterable<unknown>): this {
    this.steps.push({ kind: "yieldMap", fn });
    return this;
  }

  /** Stop after `n` pages (dlt's add_limit), handy when developing against a large API. */
  addLimit(n: number): this {
    this.limit = n;
    return this;
  }
}

/** Declare a resource: `resource(async function* () { yield [{ id: 1 }] }, { name: "invoices" })`. */
export function resource(fn: ResourceFn, hints: ResourceHints = {}): Resource {
  const name = hints.name ?? (fn.name && fn.name !== "anonymous" ? fn.name : "");
  return new Resource({ name, hints, fn });
}

/** Declare a transformer fed by `dataFrom`'s pages (dlt's `@dlt.transformer(data_from=...)`). */
export function transformer(fn: TransformerFn, hints: ResourceHints & { name: string; dataFrom: Resource }): Resource {
  const { dataFrom, ...rest } = hints;
  return new Resource({ name: hints.name, hints: rest, transform: fn, parent: dataFrom });
}
