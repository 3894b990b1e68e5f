import { ConfigError } from "../../util/errors.js";
import { type PipelineAccess, quoteIdent } from "./access.js";
import { type ColumnInfo, schemaTable, tableColumns } from "./columns.js";

export interface RowsRequest {
  table: string;
  offset: number;
  limit: number;
  /** A column of the table; default: its first column (keys come first). */
  sort?: string | undefined;
  descending?: boolean;
}

export interface RowsPage {
  table: string;
  columns: ColumnInfo[];
  rows: unknown[][];
  total: number;
  offset: number;
  limit: number;
  sort: string | null;
  descending: boolean;
}

/** Parse `?table=&offset=&limit=&sort=&desc=` into a request, naming what is wrong. */
export function rowsRequest(params: URLSearchParams): RowsRequest {
  const table = params.get("table");
  if (!table) throw new ConfigError("name the table: ?table=<name>");
  const int = (key: string, fallback: number) => {
    const raw = params.get(key);
    if (raw === null || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${key} must be a whole number >= 0, got ${JSON.stringify(raw)}`);
    return n;
  };
  return {
    table,
    offset: int("offset", 0),
    limit: int("limit", 50),
    sort: params.get("sort") ?? undefined,
    descending: params.get("desc") === "1" || params.get("desc") === "true",
  };
}

/**
 * One page of a table's rows, sorted and paged by the database through the read-only session.
 * The table must be one the dataset has and the sort column one of its columns (both checked
 * against what the database reports); names reach the SQL only quoted. Ties are broken by the
 * other key columns, so pages neither repeat nor skip rows.
 */
export async function tableRows(access: PipelineAccess, name: string, req: RowsRequest): Promise<RowsPage> {
  const wd = access.workingDir(name);
  const schemas = wd
    .schemaNames()
    .map((s) => wd.readSchema(s))
    .filter((s) => s !== undefined);
  return access.withSession(name, async (session) => {
    const tables = await session.tableNames();
    if (!tables.includes(req.table)) {
      throw new ConfigError(`the dataset ${session.datasetName} has no table ${JSON.stringify(req.table)}`);
    }
    const columns = await tableColumns(session, req.table, schemaTable(schemas, req.table));
    const sort = req.sort ?? columns[0]?.name;
    if (sort !== undefined && !columns.some((c) => c.name === sort)) {
      throw new ConfigError(`table ${req.table} has no column ${JSON.stringify(sort)}`, {
        hint: `sort by one of: ${columns.map((c) => c.name).join(", ")}`,
      });
    }
    const limit = Math.max(1, Math.min(req.limit, 500));
    const direction = req.descending ? "DESC" : "ASC";
    const ties = columns.filter((c) => c.key && c.name !== sort).map((c) => `${quoteIdent(c.name)} ASC`);
    if (ties.length === 0 && sort !== "_dlt_id" && columns.some((c) => c.name === "_dlt_id")) ties.push(`"_dlt_id" ASC`);
    const order = sort === undefined ? "" : ` ORDER BY ${[`${quoteIdent(sort)} ${direction} NULLS LAST`, ...ties].join(", ")}`;
    const from = quoteIdent(req.table);
    const count = await session.query(`SELECT COUNT(*) AS n FROM ${from}`);
    const page = await session.query(`SELECT * FROM ${from}${order} LIMIT ${limit} OFFSET ${req.offset}`);
    return {
      table: req.table,
      columns,
      rows: page.rows.map((r) => columns.map((c) => r[c.name])),
      total: Number(count.rows[0]?.n ?? 0),
      offset: req.offset,
      limit,
      sort: sort ?? null,
      descending: req.descending ?? false,
    };
  });
}
