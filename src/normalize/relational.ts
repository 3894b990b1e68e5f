import type { Schema } from "../schema/schema.js";
import {
  C_ID,
  C_LIST_IDX,
  C_LOAD_ID,
  C_PARENT_ID,
  C_ROOT_ID,
  childSystemColumns,
  rootSystemColumns,
} from "../schema/system-tables.js";
import type { Column, ColumnHint, DataType, Table } from "../schema/types.js";
import { DataError } from "../util/errors.js";
import { ExactNumber } from "../util/lossless-json.js";
import { decodeTyped, isTyped } from "../util/typed-json.js";
import { DEFAULT_PRECISION, DEFAULT_SCALE, type Encoded, NO_FIT, coerce, inferType, isNumeric } from "./coerce.js";
import { newRowId } from "./ids.js";
import { KeyIndex } from "./key-index.js";
import { type NamingConvention, computeTag, identifierLength } from "./naming.js";
import {
  type KeyPlan,
  LevelPlan,
  type RootHints,
  type Slot,
  type TableCtx,
  claimName,
  newSlot,
  newTableCtx,
} from "./table-plan.js";

export type { RootHints } from "./table-plan.js";

export type Row = Record<string, Encoded>;

/** Values that are objects in JavaScript but one value in a column. */
function isScalarObject(v: object): boolean {
  return v instanceof Date || v instanceof Uint8Array || v instanceof ExactNumber;
}

/** An item or list element as the row it becomes: objects as they are, anything else as `{ value }`. */
function asObject(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !isScalarObject(v)
    ? (v as Record<string, unknown>)
    : { value: v };
}

/** At most this many numbers too large for their decimal column are named one by one, per column. */
export const MAX_NAMED_OVERFLOWS = 5;

/** A frozen schema contract refused the data: the user asked for the package to stop. */
export class SchemaContractViolation extends DataError {}

/** Thrown while building one row when a contract says `discard_row`; caught by that row. */
class DiscardRow extends Error {}

/** A scalar's text for messages and text variants; objects never get here (they are flattened). */
function scalarText(v: unknown): string {
  if (v instanceof ExactNumber) return v.text;
  if (v instanceof Date) return v.toISOString();
  return typeof v === "string" || typeof v === "number" || typeof v === "bigint" || typeof v === "boolean"
    ? String(v)
    : JSON.stringify(v);
}

/** Numbers of one `table.column` that did not fit its DECIMAL(precision, scale). */
export interface DecimalOverflow {
  count: number;
  /** The first few: `resource contacts, business b1, id c7: 1e+40`. */
  named: string[];
  precision: number;
  scale: number;
}

export interface NormalizerStats {
  discardedRows: number;
  discardedValues: number;
  variantValues: number;
}

/**
 * dlt's relational normalizer: flattens nested objects into `a__b` columns, turns lists into
 * child tables linked by `_dlt_parent_id` / `_dlt_root_id` / `_dlt_list_idx`, infers types,
 * sends values that do not fit their column to variant columns `<col>__v_<type>`, and evolves
 * the schema as it goes under the schema contract of each resource.
 */
export class RelationalNormalizer {
  private readonly ctxs = new Map<string, TableCtx>();
  /** Per root table: the plan of its items' keys. */
  private readonly rootPlans = new Map<string, LevelPlan>();
  private readonly tablesBefore: Set<string>;
  private readonly pending: Array<[string, Row]> = [];
  private readonly maxLen: number;
  readonly stats: NormalizerStats = { discardedRows: 0, discardedValues: 0, variantValues: 0 };
  /** Per merge table: the `_dlt_id`s of rows that a later row with the same key replaces in this
   * package. Load skips them (and their child rows), so the last occurrence wins without a sort. */
  readonly superseded = new Map<string, string[]>();
  /** Per merge table: key → `_dlt_id` of the last row with that key so far. */
  readonly lastByKey = new Map<string, KeyIndex>();
  /** Numbers too large for their decimal column, per `table.column`: how many, and the first few named. */
  readonly overflows = new Map<string, DecimalOverflow>();
  /** The root item being normalized (for messages that name its business and id). */
  private item: Record<string, unknown> = {};
  /** Values set so far in the row being flattened: the position of the next column. */
  private width = 0;

  /** Per table: the columns this package created and the earliest row position of each. */
  get freshColumns(): Map<string, Map<string, number>> {
    const out = new Map<string, Map<string, number>>();
    for (const ctx of this.ctxs.values()) {
      if (ctx.fresh.size > 0) out.set(ctx.table.name, new Map([...ctx.fresh].map(([name, mark]) => [name, mark.at])));
    }
    return out;
  }

  constructor(
    private readonly schema: Schema,
    private readonly naming: NamingConvention,
    private readonly loadId: string,
    private readonly emit: (table: string, row: Row) => void,
    private readonly detectDates = true,
  ) {
    this.tablesBefore = new Set(schema.tables.keys());
    this.maxLen = naming.maxLength ?? Number.MAX_SAFE_INTEGER;
  }

  /** Apply a resource's hints to its root table (creating the table only when rows arrive). */
  registerRoot(hints: RootHints): void {
    const existing = this.schema.get(hints.table);
    if (existing) {
      if (existing.parent) {
        throw new DataError(
          `resource ${hints.resource}: table name ${hints.table} is already a child table of ${existing.parent}`,
          {
            hint: "give the resource another tableName",
          },
        );
      }
      this.applyRootHints(existing, hints);
    }
    const ctx = newTableCtx(existing ?? this.blankRoot(hints), hints, "", existing !== undefined);
    this.ctxs.set(hints.table, ctx);
    this.rootPlans.set(hints.table, new LevelPlan(ctx, "", 0));
  }

  private blankRoot(hints: RootHints): Table {
    const t: Table = { name: hints.table, resource: hints.resource, writeDisposition: hints.writeDisposition, columns: {} };
    this.applyRootHints(t, hints);
    return t;
  }

  private applyRootHints(t: Table, hints: RootHints): void {
    t.resource = hints.resource;
    t.writeDisposition = hints.writeDisposition;
    t.schemaContract = hints.contract;
    t.maxTableNesting = hints.maxTableNesting;
    for (const c of Object.values(t.columns)) {
      if (hints.primaryKey?.includes(c.name)) c.primaryKey = true;
      if (hints.mergeKey?.includes(c.name)) c.mergeKey = true;
    }
    for (const child of this.schema.descendants(t.name)) child.writeDisposition = hints.writeDisposition;
  }

  /** Normalize one item of a root table. Rows reach `emit` only once the whole item succeeded. */
  normalizeItem(rootTable: string, item: unknown): void {
    const plan = this.rootPlans.get(rootTable);
    if (!plan) throw new Error(`table ${rootTable} was not registered`);
    const ctx = plan.ctx;
    const obj = asObject(item);
    this.item = obj;
    this.pending.length = 0;
    this.rowFrom(plan, obj, undefined, undefined, 0);
    const root = this.pending[0];
    if (root && ctx.root.writeDisposition === "merge" && ctx.root.primaryKey) this.trackKey(ctx, root[1]);
    for (const [t, r] of this.pending) this.emit(t, r);
    this.pending.length = 0;
  }

  private trackKey(ctx: TableCtx, row: Row): void {
    const pk = ctx.root.primaryKey!;
    const single = row[pk[0]!];
    const key =
      pk.length === 1 ? (typeof single === "string" ? single : JSON.stringify(single)) : JSON.stringify(pk.map((k) => row[k]));
    let seen = this.lastByKey.get(ctx.table.name);
    if (!seen) this.lastByKey.set(ctx.table.name, (seen = new KeyIndex()));
    const previous = seen.set(key, row[C_ID] as string);
    if (previous !== undefined) {
      let list = this.superseded.get(ctx.table.name);
      if (!list) this.superseded.set(ctx.table.name, (list = []));
      list.push(previous);
    }
  }

  private ensureTable(ctx: TableCtx): boolean {
    if (this.schema.tables.has(ctx.table.name)) return true;
    const contract = ctx.root.contract.tables;
    if (contract !== "evolve" && !ctx.existedBefore) {
      if (contract === "freeze") {
        throw new SchemaContractViolation(
          `resource ${ctx.root.resource}: schema contract is frozen for tables and ${ctx.table.name} is new`,
          {
            hint: 'allow new tables with schemaContract: { tables: "evolve" } or select fewer fields',
          },
        );
      }
      return false;
    }
    const sys = ctx.table.parent ? childSystemColumns() : rootSystemColumns();
    for (const c of sys) if (!(c.name in ctx.table.columns)) ctx.table.columns[c.name] = c;
    if (!ctx.table.parent) {
      // Typed hints create their columns up front, so a hinted column exists even when empty.
      for (const [path, hint] of ctx.root.columns) {
        if (!path.includes("__") && hint.dataType && !(path in ctx.table.columns)) {
          ctx.table.columns[path] = this.columnFrom(ctx, path, hint.dataType, hint);
          ctx.fresh.set(path, { at: Number.POSITIVE_INFINITY });
        }
      }
    }
    this.schema.tables.set(ctx.table.name, ctx.table);
    return true;
  }

  private rowFrom(
    plan: LevelPlan,
    obj: Record<string, unknown>,
    parentId: string | undefined,
    rootId: string | undefined,
    idx: number,
  ): void {
    const ctx = plan.ctx;
    const start = this.pending.length;
    try {
      if (!this.ensureTable(ctx)) throw new DiscardRow();
      const id = newRowId();
      const row: Row = {};
      if (parentId === undefined) {
        row[C_LOAD_ID] = this.loadId;
        row[C_ID] = id;
      } else {
        row[C_ROOT_ID] = rootId!;
        row[C_PARENT_ID] = parentId;
        row[C_LIST_IDX] = idx;
        row[C_ID] = id;
      }
      this.pending.push([ctx.table.name, row]);
      const width = this.width;
      this.width = 0;
      try {
        this.flatten(plan, row, obj, id, rootId ?? id);
      } finally {
        this.width = width;
      }
      if (parentId === undefined) this.checkPrimaryKey(ctx, row);
    } catch (err) {
      if (!(err instanceof DiscardRow)) throw err;
      this.pending.length = start;
      this.stats.discardedRows++;
    }
  }

  private checkPrimaryKey(ctx: TableCtx, row: Row): void {
    if (ctx.root.writeDisposition !== "merge" || !ctx.root.primaryKey) return;
    for (const k of ctx.root.primaryKey) {
      if (row[k] === undefined || row[k] === null) {
        throw new DataError(`resource ${ctx.root.resource}: an item has no value for primary key column ${k} (merge needs it)`, {
          hint: "check primaryKey against the item's fields, or use writeDisposition append",
        });
      }
    }
  }

  private flatten(plan: LevelPlan, row: Row, obj: Record<string, unknown>, rowId: string, rootId: string): void {
    for (const key in obj) {
      let v = obj[key];
      if (v === undefined || v === null) continue;
      const kp = plan.keys.get(key) ?? this.planKey(plan, key);
      const slot = kp.shared && kp.plain.name in row ? (kp.tagged ?? this.tagKey(plan, kp, key)) : kp.plain;
      if (typeof v === "string") {
        if (isTyped(v)) v = decodeTyped(v);
      } else if (typeof v === "object" && slot.nestable && !isScalarObject(v)) {
        if (Array.isArray(v)) {
          this.childRows(plan, slot, v, rowId, rootId);
          continue;
        }
        slot.object ??= new LevelPlan(plan.ctx, slot.name, plan.level + 1);
        this.flatten(slot.object, row, v as Record<string, unknown>, rowId, rootId);
        continue;
      }
      this.setValue(plan.ctx, row, slot, v);
    }
  }

  /** A key seen for the first time at this level: its name, and whether another can clash with it. */
  private planKey(plan: LevelPlan, key: string): KeyPlan {
    const kp: KeyPlan = { plain: this.slotFor(plan, this.columnName(plan.prefix, key)), tagged: undefined, shared: false };
    claimName(plan.ctx, kp.plain.name, kp);
    plan.keys.set(key, kp);
    return kp;
  }

  /** Two keys of one object map to one name (`Id` and `id`): the later key gets a tagged name. */
  private tagKey(plan: LevelPlan, kp: KeyPlan, key: string): Slot {
    const name = this.naming.shortenFragments(`${kp.plain.name}_${computeTag(`${plan.prefix}.${key}`)}`);
    claimName(plan.ctx, name, null);
    return (kp.tagged = this.slotFor(plan, name));
  }

  private slotFor(plan: LevelPlan, name: string): Slot {
    const hintPath = this.hintPath(plan.ctx, name);
    const nestable = plan.level < plan.ctx.root.maxTableNesting && plan.ctx.root.columns.get(hintPath)?.dataType !== "json";
    return newSlot(name, hintPath, nestable);
  }

  private columnName(prefix: string, key: string): string {
    const norm = this.naming.normalizeIdentifier(key);
    const full = prefix ? `${prefix}__${norm}` : norm;
    // Byte length: Postgres counts its 63-character limit in UTF-8 bytes.
    return full.length > this.maxLen || (full.length * 3 > this.maxLen && identifierLength(full) > this.maxLen)
      ? this.naming.shortenFragments(prefix, norm)
      : full;
  }

  private hintPath(ctx: TableCtx, column: string): string {
    return ctx.path ? `${ctx.path}__${column}` : column;
  }

  private childRows(parent: LevelPlan, slot: Slot, list: unknown[], parentId: string, rootId: string): void {
    if (list.length === 0) return;
    slot.list ??= new LevelPlan(this.childCtx(parent.ctx, slot), "", parent.level + 1);
    for (let i = 0; i < list.length; i++) this.rowFrom(slot.list, asObject(list[i]), parentId, rootId, i);
  }

  /** The child table of `parent` that lists at `slot` become (one per name, whatever the path). */
  private childCtx(parent: TableCtx, slot: Slot): TableCtx {
    const tableName = this.naming.shortenFragments(parent.table.name, slot.name);
    let ctx = this.ctxs.get(tableName);
    if (!ctx) {
      const table = this.schema.get(tableName) ?? {
        name: tableName,
        parent: parent.table.name,
        writeDisposition: parent.root.writeDisposition,
        columns: {},
      };
      ctx = newTableCtx(table, parent.root, slot.hintPath, this.tablesBefore.has(tableName));
      this.ctxs.set(tableName, ctx);
    }
    return ctx;
  }

  private columnFrom(ctx: TableCtx, name: string, dataType: DataType, hint: ColumnHint | undefined): Column {
    const col: Column = { name, dataType, nullable: hint?.nullable ?? true };
    if (dataType === "decimal") {
      col.precision = hint?.precision ?? DEFAULT_PRECISION;
      col.scale = hint?.scale ?? DEFAULT_SCALE;
    } else if (hint?.precision !== undefined) {
      col.precision = hint.precision;
    }
    if (hint?.timezone === false) col.timezone = false;
    const isRoot = !ctx.table.parent;
    if (hint?.primaryKey || (isRoot && ctx.root.primaryKey?.includes(name))) {
      col.primaryKey = true;
      col.nullable = false;
    }
    if (hint?.mergeKey || (isRoot && ctx.root.mergeKey?.includes(name))) col.mergeKey = true;
    if (hint?.hardDelete) col.hardDelete = true;
    return col;
  }

  private newColumn(ctx: TableCtx, name: string, v: unknown, variantOf?: string): Column | undefined {
    if (ctx.existedBefore) {
      const mode = variantOf ? ctx.root.contract.dataType : ctx.root.contract.columns;
      if (mode !== "evolve") {
        if (mode === "freeze") {
          const what = variantOf ? `a value of column ${variantOf} does not fit its type` : `column ${name} is new`;
          throw new SchemaContractViolation(
            `resource ${ctx.root.resource}: schema contract is frozen for ${variantOf ? "data types" : "columns"} of ${ctx.table.name} and ${what}`,
            {
              hint: `relax schemaContract (e.g. { ${variantOf ? "dataType" : "columns"}: "evolve" }) or fix the data`,
            },
          );
        }
        if (mode === "discard_row") throw new DiscardRow();
        this.stats.discardedValues++;
        return undefined;
      }
    }
    const hint = variantOf ? undefined : ctx.root.columns.get(this.hintPath(ctx, name));
    const col = this.columnFrom(ctx, name, hint?.dataType ?? inferType(v, this.detectDates), hint);
    if (variantOf) col.variantOf = variantOf;
    ctx.table.columns[name] = col;
    ctx.fresh.set(name, { at: Number.POSITIVE_INFINITY });
    return col;
  }

  /** A number that does not fit its DECIMAL(p,s) column: loaded by the variant rules, but said. */
  private noteOverflow(ctx: TableCtx, col: Column, v: unknown): void {
    const key = `${ctx.table.name}.${col.name}`;
    let o = this.overflows.get(key);
    if (!o) {
      o = { count: 0, named: [], precision: col.precision ?? DEFAULT_PRECISION, scale: col.scale ?? DEFAULT_SCALE };
      this.overflows.set(key, o);
    }
    o.count++;
    if (o.named.length >= MAX_NAMED_OVERFLOWS) return;
    const { business_id: business, id } = this.item;
    const who = [
      `resource ${ctx.root.resource}`,
      ...(typeof business === "string" || typeof business === "number" ? [`business ${business}`] : []),
      ...(typeof id === "string" || typeof id === "number" ? [`id ${id}`] : []),
    ].join(", ");
    o.named.push(`${who}: ${scalarText(v)}`);
  }

  private setValue(ctx: TableCtx, row: Row, slot: Slot, v: unknown): void {
    let col = slot.column;
    if (col === undefined) {
      col = ctx.table.columns[slot.name] ?? this.newColumn(ctx, slot.name, v);
      if (!col) return;
      slot.column = col;
      slot.fresh = ctx.fresh.get(slot.name);
    }
    const at = this.width++;
    const fresh = slot.fresh;
    if (fresh !== undefined && at < fresh.at) fresh.at = at;
    const enc = coerce(v, col.dataType, col);
    if (enc !== NO_FIT) {
      row[slot.name] = enc;
      return;
    }
    const name = slot.name;
    if (col.dataType === "decimal" && isNumeric(v)) this.noteOverflow(ctx, col, v);
    this.stats.variantValues++;
    let vname = this.variantName(ctx, slot, `v_${inferType(v, this.detectDates)}`);
    let vcol = ctx.table.columns[vname] ?? this.newColumn(ctx, vname, v, name);
    if (!vcol) return;
    let venc = coerce(v, vcol.dataType, vcol);
    if (venc === NO_FIT) {
      // Only a number too large for any decimal gets here: keep its digits as text.
      vname = this.variantName(ctx, slot, "v_text");
      vcol = ctx.table.columns[vname] ?? this.newColumn(ctx, vname, scalarText(v), name);
      if (!vcol) return;
      venc = scalarText(v);
    }
    row[vname] = venc;
  }

  /** `<column>__v_<type>`, named once per column and type. */
  private variantName(ctx: TableCtx, slot: Slot, suffix: string): string {
    slot.variants ??= new Map();
    let name = slot.variants.get(suffix);
    if (name === undefined) {
      name = this.naming.shortenFragments(slot.name, suffix);
      claimName(ctx, name, null);
      slot.variants.set(suffix, name);
    }
    return name;
  }
}
