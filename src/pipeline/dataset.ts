import type { Schema } from "../schema/schema.js";
import type { Table } from "../schema/types.js";
import { type Open, Relation, type RelationSource, quote } from "./relation.js";

export { Relation } from "./relation.js";

/**
 * The loaded data of a pipeline, like dlt's dataset: `p.dataset().table("sales_invoices").limit(10).rows()`,
 * `.sql("select ...")`, `.rowCounts()`. Every value comes back in one mapping (see Relation).
 */
export class Dataset {
  private readonly source: RelationSource;

  constructor(
    open: Open,
    readonly datasetName: string,
    /** The pipeline's schemas, read when a relation needs column types or nested tables. */
    schemas: () => readonly Schema[] = () => [],
  ) {
    this.source = {
      open,
      datasetName,
      table: (name: string): Table | undefined => {
        for (const s of schemas()) {
          const t = s.get(name);
          if (t) return t;
        }
        return undefined;
      },
    };
  }

  table(name: string): Relation {
    return Relation.ofTable(this.source, name);
  }

  /** Any SQL; unqualified table names resolve to the dataset. */
  sql(query: string): Relation {
    return Relation.ofSql(this.source, query);
  }

  async tables(): Promise<string[]> {
    const client = await this.source.open();
    try {
      return await client.tableNames();
    } finally {
      await client.close();
    }
  }

  /** Row count per data table (`_dlt_*` tables left out). */
  async rowCounts(): Promise<Record<string, number>> {
    const client = await this.source.open();
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
