import type { DestinationClient, ResultRow } from "../destinations/destination.js";

type Open = () => Promise<DestinationClient>;

function quote(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}

/** A lazy query on one table: `.limit(10).rows()`, like dlt's relation. */
export class Relation {
  constructor(
    private readonly open: Open,
    private readonly base: string,
    private readonly parts: { select?: string[]; where?: string[]; orderBy?: string[]; limit?: number } = {},
  ) {}

  private with(p: Partial<Relation["parts"]>): Relation {
    return new Relation(this.open, this.base, { ...this.parts, ...p });
  }

  select(...columns: string[]): Relation {
    return this.with({ select: columns });
  }

  /** A SQL condition, e.g. `where("total_amount > 100")`. */
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

  toSQL(): string {
    const cols = this.parts.select?.map(quote).join(", ") ?? "*";
    let sql = `SELECT ${cols} FROM ${this.base}`;
    if (this.parts.where?.length) sql += ` WHERE ${this.parts.where.map((w) => `(${w})`).join(" AND ")}`;
    if (this.parts.orderBy?.length) sql += ` ORDER BY ${this.parts.orderBy.join(", ")}`;
    if (this.parts.limit !== undefined) sql += ` LIMIT ${Math.max(0, Math.floor(this.parts.limit))}`;
    return sql;
  }

  async rows(): Promise<ResultRow[]> {
    const client = await this.open();
    try {
      return await client.query(this.toSQL());
    } finally {
      await client.close();
    }
  }

  async count(): Promise<number> {
    const client = await this.open();
    try {
      const base =
        this.parts.limit === undefined && !this.parts.select
          ? `SELECT COUNT(*) AS n FROM ${this.base}${this.parts.where?.length ? ` WHERE ${this.parts.where.map((w) => `(${w})`).join(" AND ")}` : ""}`
          : `SELECT COUNT(*) AS n FROM (${this.toSQL()}) AS q`;
      const rows = await client.query(base);
      return Number(rows[0]?.n ?? 0);
    } finally {
      await client.close();
    }
  }
}

/** The loaded data of a pipeline: `p.dataset().table("invoices").limit(10).rows()` or `.sql(...)`. */
export class Dataset {
  constructor(
    private readonly open: Open,
    readonly datasetName: string,
  ) {}

  table(name: string): Relation {
    return new Relation(this.open, `${quote(this.datasetName)}.${quote(name)}`);
  }

  /** Any SQL; unqualified table names resolve to the dataset. */
  sql(query: string): { rows(): Promise<ResultRow[]> } {
    return new Relation(this.open, `(${query.replace(/;\s*$/, "")}) AS q`);
  }

  async tables(): Promise<string[]> {
    const client = await this.open();
    try {
      return await client.tableNames();
    } finally {
      await client.close();
    }
  }

  /** Row count per data table (`_dlt_*` tables left out). */
  async rowCounts(): Promise<Record<string, number>> {
    const client = await this.open();
    try {
      const out: Record<string, number> = {};
      for (const t of await client.tableNames()) {
        if (t.startsWith("_dlt_")) continue;
        const r = await client.query(`SELECT COUNT(*) AS n FROM ${quote(this.datasetName)}.${quote(t)}`);
        out[t] = Number(r[0]?.n ?? 0);
      }
      return out;
    } finally {
      await client.close();
    }
  }
}
