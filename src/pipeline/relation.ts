import type { DestinationClient, ResultRow } from "../destinations/destination.js";
import type { DataType, Table } from "../schema/types.js";
import { importOptional } from "../destinations/optional-import.js";
import { ConfigError } from "../util/errors.js";
import { loadArrow, rowsToArrow } from "./arrow-table.js";

export type Open = () => Promise<DestinationClient>;

/** What a relation needs from its dataset: a connection, the dataset's name, its schema's tables. */
export interface RelationSource {
  open: Open;
  datasetName: string;
  /** The pipeline schema's table of that name (columns in the dataset's naming), if it has one. */
  table(name: string): Table | undefined;
}

interface Parts {
  select?: string[];
  where?: string[];
  orderBy?: string[];
  limit?: number;
  offset?: number;
}

/** What the relation reads FROM, and the columns (with types) it is known to have. */
interface From {
  sql: string;
  /** Column → type where the schema knows it; the order is the relation's column order. */
  columns: Map<string, DataType>;
  /** The schema table behind it (for `join`), when the relation is a table. */
  table?: Table;
}

export function quote(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}

function tableColumns(t: Table): Map<string, DataType> {
  return new Map(Object.values(t.columns).map((c) => [c.name, c.dataType]));
}

/**
 * A lazy query, like dlt's relation: `dataset.table("sales_invoices").where("total_amount > 100")
 * .orderBy("date").limit(10).rows()`. Values come back in the dataset API's one mapping, whatever
 * the destination: DECIMAL → string (exact), DATE → `YYYY-MM-DD`, TIMESTAMP → Date (UTC), BIGINT →
 * number (bigint beyond 2^53), JSON → parsed value, BOOLEAN → boolean.
 */
export class Relation {
  constructor(
    private readonly source: RelationSource,
    private readonly from: From,
    private readonly parts: Parts = {},
  ) {}

  static ofTable(source: RelationSource, name: string): Relation {
    const table = source.table(name);
    return new Relation(source, {
      sql: `${quote(source.datasetName)}.${quote(name)}`,
      columns: table ? tableColumns(table) : new Map<string, DataType>(),
      ...(table ? { table } : {}),
    });
  }

  static ofSql(source: RelationSource, query: string): Relation {
    return new Relation(source, { sql: `(${query.replace(/;\s*$/, "")}) AS q`, columns: new Map<string, DataType>() });
  }

  private with(p: Partial<Parts>): Relation {
    return new Relation(this.source, this.from, { ...this.parts, ...p });
  }

  select(...columns: string[]): Relation {
    return this.with({ select: columns });
  }

  /** A SQL condition, e.g. `where("total_amount > 100")`; several are ANDed. */
  where(condition: string): Relation {
    return this.with({ where: [...(this.parts.where ?? []), condition] });
  }

  orderBy(column: string, direction: "asc" | "desc" = "asc"): Relation {
    return this.with({ orderBy: [...(this.parts.orderBy ?? []), `${quote(column)} ${direction.toUpperCase()}`] });
  }

  limit(n: number): Relation {
    return this.with({ limit: n });
  }

  head(n = 5): Relation {
    return this.limit(n);
  }

  /**
   * The rows of a nested table beside their parent's: `table("sales_invoices").join("invoice_lines")`
   * gives one row per line with the invoice's columns and the line's as `invoice_lines__<column>`
   * (linked as dlt links them: the child's `_dlt_parent_id` is the parent's `_dlt_id`).
   */
  join(nested: string): Relation {
    const parent = this.from.table;
    if (!parent) throw new ConfigError("join() works on a table of the dataset, not on sql() or an earlier join");
    const childName = nested.startsWith(`${parent.name}__`) ? nested : `${parent.name}__${nested}`;
    const child = this.source.table(childName);
    if (child?.parent !== parent.name) {
      throw new ConfigError(`${parent.name} has no nested table ${JSON.stringify(nested)}`, {
        hint: `its nested tables are named ${parent.name}__<list>; pipeline <name> schema lists them`,
      });
    }
    const prefix = childName.slice(parent.name.length + 2);
    const parentCols = this.parts.select ?? [...tableColumns(parent).keys()];
    if (!parentCols.includes("_dlt_id")) throw new ConfigError("join() needs the parent's _dlt_id: keep it in select()");
    const columns = new Map<string, DataType>();
    const selects: string[] = [];
    for (const c of parentCols) {
      const type = parent.columns[c]?.dataType;
      if (type) columns.set(c, type);
      selects.push(`p.${quote(c)}`);
    }
    for (const col of Object.values(child.columns)) {
      columns.set(`${prefix}__${col.name}`, col.dataType);
      selects.push(`c.${quote(col.name)} AS ${quote(`${prefix}__${col.name}`)}`);
    }
    const sql =
      `(SELECT ${selects.join(", ")} FROM (${this.toSQL()}) AS p ` +
      `JOIN ${quote(this.source.datasetName)}.${quote(childName)} AS c ON c."_dlt_parent_id" = p."_dlt_id") AS j`;
    return new Relation(this.source, { sql, columns });
  }

  toSQL(): string {
    const cols = this.parts.select?.map(quote).join(", ") ?? "*";
    let sql = `SELECT ${cols} FROM ${this.from.sql}`;
    if (this.parts.where?.length) sql += ` WHERE ${this.parts.where.map((w) => `(${w})`).join(" AND ")}`;
    if (this.parts.orderBy?.length) sql += ` ORDER BY ${this.parts.orderBy.join(", ")}`;
    if (this.parts.limit !== undefined) sql += ` LIMIT ${Math.max(0, Math.floor(this.parts.limit))}`;
    if (this.parts.offset !== undefined) sql += ` OFFSET ${this.parts.offset}`;
    return sql;
  }

  private async withClient<T>(fn: (c: DestinationClient) => Promise<T>): Promise<T> {
    const client = await this.source.open();
    try {
      return await fn(client);
    } finally {
      await client.close();
    }
  }

  async rows(): Promise<ResultRow[]> {
    return this.withClient((c) => c.query(this.toSQL()));
  }

  /** The first row, or undefined when there is none. */
  async fetchOne(): Promise<ResultRow | undefined> {
    return (await this.limit(1).rows())[0];
  }

  /** The first column of the first row (`sql("select count(*) from contacts").fetchScalar()`). */
  async fetchScalar(): Promise<unknown> {
    const row = await this.fetchOne();
    return row ? Object.values(row)[0] : undefined;
  }

  async count(): Promise<number> {
    const where = this.parts.where?.length ? ` WHERE ${this.parts.where.map((w) => `(${w})`).join(" AND ")}` : "";
    const sql =
      this.parts.limit === undefined && !this.parts.select
        ? `SELECT COUNT(*) AS n FROM ${this.from.sql}${where}`
        : `SELECT COUNT(*) AS n FROM (${this.toSQL()}) AS counted`;
    const rows = await this.withClient((c) => c.query(sql));
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * The rows in chunks of `chunkSize`, one query per chunk on one connection, in a stable order
   * (the relation's orderBy, else `_dlt_id` where the relation has it), so nothing is read twice.
   */
  async *iterRows(options: { chunkSize?: number } = {}): AsyncGenerator<ResultRow[]> {
    const size = Math.max(1, Math.floor(options.chunkSize ?? 10_000));
    const ordered = this.parts.orderBy?.length || !this.from.columns.has("_dlt_id") ? this : this.orderBy("_dlt_id");
    const cap = this.parts.limit;
    const client = await this.source.open();
    try {
      for (let offset = 0; cap === undefined || offset < cap; offset += size) {
        const take = cap === undefined ? size : Math.min(size, cap - offset);
        const chunk = await client.query(ordered.with({ limit: take, offset }).toSQL());
        if (chunk.length > 0) yield chunk;
        if (chunk.length < take) return;
      }
    } finally {
      await client.close();
    }
  }

  /** The relation's column names: `select()`'s, else the schema's, else those of the rows read. */
  private columnsFor(rows: readonly ResultRow[]): string[] {
    if (this.parts.select) return this.parts.select;
    if (rows[0]) return Object.keys(rows[0]);
    return [...this.from.columns.keys()];
  }

  /** An Apache Arrow table (apache-arrow): DECIMAL and JSON as Utf8, DATE as Date32, TIMESTAMP in ms UTC. */
  async arrow(): Promise<InstanceType<typeof import("apache-arrow").Table>> {
    const [a, rows] = await Promise.all([loadArrow(), this.rows()]);
    return rowsToArrow(a, this.columnsFor(rows), rows, this.from.columns);
  }

  /** Arrow tables of at most `chunkSize` rows each, for data that should not sit in memory at once. */
  async *iterArrow(options: { chunkSize?: number } = {}): AsyncGenerator<InstanceType<typeof import("apache-arrow").Table>> {
    const a = await loadArrow();
    for await (const rows of this.iterRows(options)) yield rowsToArrow(a, this.columnsFor(rows), rows, this.from.columns);
  }

  /**
   * A nodejs-polars DataFrame (an optional peer dependency: `npm install nodejs-polars`), read from
   * the Arrow table so the types are the same as `arrow()`'s.
   */
  async df(): Promise<import("nodejs-polars").DataFrame> {
    const pl = await importOptional<{ default: typeof import("nodejs-polars").default }>("nodejs-polars", "Relation.df()");
    const a = await loadArrow();
    const table = await this.arrow();
    return pl.default.readIPC(Buffer.from(a.tableToIPC(table, "file")));
  }
}
