import { C_ID, C_LIST_IDX, C_LOAD_ID, C_PARENT_ID, C_ROOT_ID } from "../schema/system-tables.js";
import type { Column, ColumnHint, ResolvedContract, Table, WriteDisposition } from "../schema/types.js";

/**
 * The per-table plans that keep the relational normalizer's per-value work to a Map lookup, a
 * coercion and a store. What a raw key becomes at one place of one table (its column name, its
 * column, the nested object or child table it leads to) depends only on that place, so it is
 * decided the first time the key appears there and reused for every later row. Without the plans
 * every value built its `prefix__name` string anew, and each lookup of a fresh string hashes it.
 */

/** What normalize knows about a root table from its resource (names already normalized). */
export interface RootHints {
  resource: string;
  table: string;
  writeDisposition: WriteDisposition;
  primaryKey?: string[];
  mergeKey?: string[];
  /** Keyed by the normalized `__` path from the root: `net_amount`, `invoice_lines__net_amount`. */
  columns: Map<string, ColumnHint>;
  maxTableNesting: number;
  contract: ResolvedContract;
}

/** The earliest row position a column created by this package was given (column-order.ts). */
export interface FreshMark {
  at: number;
}

export interface TableCtx {
  table: Table;
  root: RootHints;
  /** `__` path from the root table to this one ("" for the root). */
  path: string;
  /** Table existed before this package: the `columns` contract applies to it. */
  existedBefore: boolean;
  /** Columns this package created, with the earliest position any row gave them. */
  fresh: Map<string, FreshMark>;
  /**
   * Every name a row of this table may be given, and the key that claimed it first (null for
   * names no key gives: system columns, tagged and variant names). A key whose name has a second
   * claimant is `shared`: only then can a row already hold the name when the key comes.
   */
  claims: Map<string, KeyPlan | null>;
}

/** One name a key gives a row (its plain name, or the tagged one when the plain one was taken). */
export interface Slot {
  readonly name: string;
  /** The name's `__` path from the root table, which column hints are keyed by. */
  readonly hintPath: string;
  /** A nested value here is flattened (or becomes a child table), not one json value. */
  readonly nestable: boolean;
  /** The column once the table has one (a column is never replaced while a package normalizes). */
  column: Column | undefined;
  /** Set with `column` when this package created the column. */
  fresh: FreshMark | undefined;
  /** The keys of a nested object here (flattened into the same row). */
  object: LevelPlan | undefined;
  /** The child table a list here becomes. */
  list: LevelPlan | undefined;
  /** Variant column names, by the inferred type of the value (`amount__v_text`). */
  variants: Map<string, string> | undefined;
}

export interface KeyPlan {
  readonly plain: Slot;
  /** The name when a row already holds the plain one (`Id` after `id`). */
  tagged: Slot | undefined;
  /** Another key, a variant or a system column can give a row the plain name too. */
  shared: boolean;
}

/** The keys of one object level of one table: the root object, a nested object, a list element. */
export class LevelPlan {
  readonly keys = new Map<string, KeyPlan>();

  constructor(
    readonly ctx: TableCtx,
    /** Normalized `__` prefix of the level's columns ("" for a row's own object). */
    readonly prefix: string,
    /** Nesting depth below the root item, compared with `maxTableNesting`. */
    readonly level: number,
  ) {}
}

/** `constructor` is in every row object by inheritance, so a key of that name takes its tagged name. */
const INHERITED: Record<string, unknown> = {};

const SYSTEM_NAMES = [C_LOAD_ID, C_ID, C_ROOT_ID, C_PARENT_ID, C_LIST_IDX];

export function newTableCtx(table: Table, root: RootHints, path: string, existedBefore: boolean): TableCtx {
  const claims = new Map<string, KeyPlan | null>();
  for (const name of SYSTEM_NAMES) claims.set(name, null);
  return { table, root, path, existedBefore, fresh: new Map(), claims };
}

/** Record that rows of `ctx` may get `name`; `by` is the key giving it, if any. */
export function claimName(ctx: TableCtx, name: string, by: KeyPlan | null): void {
  const first = ctx.claims.get(name);
  if (first === undefined && !(name in INHERITED)) {
    ctx.claims.set(name, by);
    return;
  }
  if (first) first.shared = true;
  if (by) by.shared = true;
  if (first === undefined) ctx.claims.set(name, by);
}

export function newSlot(name: string, hintPath: string, nestable: boolean): Slot {
  return {
    name,
    hintPath,
    nestable,
    column: undefined,
    fresh: undefined,
    object: undefined,
    list: undefined,
    variants: undefined,
  };
}
