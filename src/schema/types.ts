/** The data types a column can have, named as dlt names them. */
export type DataType = "text" | "bigint" | "double" | "bool" | "timestamp" | "date" | "decimal" | "json" | "binary";

export const DATA_TYPES: readonly DataType[] = [
  "text",
  "bigint",
  "double",
  "bool",
  "timestamp",
  "date",
  "decimal",
  "json",
  "binary",
];

export type WriteDisposition = "append" | "replace" | "merge";

export type ContractMode = "evolve" | "freeze" | "discard_row" | "discard_value";

/** A mode for all three entities, or one per entity. `dataType` governs variant columns. */
export type SchemaContract = ContractMode | { tables?: ContractMode; columns?: ContractMode; dataType?: ContractMode };

export interface ResolvedContract {
  tables: ContractMode;
  columns: ContractMode;
  dataType: ContractMode;
}

/** Hints a user may give for one column, by source name (normalized like the data). */
export interface ColumnHint {
  dataType?: DataType;
  nullable?: boolean;
  precision?: number;
  scale?: number;
  primaryKey?: boolean;
  mergeKey?: boolean;
  /** On merge: a non-null value (or `true` on a bool column) deletes the row instead of upserting it. */
  hardDelete?: boolean;
  /** Store timestamps without a timezone (default: with, in UTC). */
  timezone?: boolean;
}

/** A column of the schema: the hints it was created with, with its type and nullability settled. */
export interface Column extends Omit<ColumnHint, "dataType" | "nullable"> {
  name: string;
  dataType: DataType;
  nullable: boolean;
  /** `_dlt_id`, `_dlt_load_id`, ...: written by the engine, not by the data. */
  system?: boolean;
  /** This column holds values that did not fit `variantOf`'s type. */
  variantOf?: string;
}

export interface Table {
  name: string;
  /** Parent table for child tables made from lists; undefined for root tables. */
  parent?: string;
  /** The resource that produced a root table. */
  resource?: string;
  writeDisposition: WriteDisposition;
  /** Column names in insertion order are the keys' order. */
  columns: Record<string, Column>;
  schemaContract?: ResolvedContract;
  /** Number of nesting levels allowed under this root (root tables only). */
  maxTableNesting?: number;
}

export function resolveContract(c: SchemaContract | undefined): ResolvedContract {
  if (c === undefined) return { tables: "evolve", columns: "evolve", dataType: "evolve" };
  if (typeof c === "string") return { tables: c, columns: c, dataType: c };
  return { tables: c.tables ?? "evolve", columns: c.columns ?? "evolve", dataType: c.dataType ?? "evolve" };
}
