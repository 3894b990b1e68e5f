import { C_ID, C_ROOT_ID } from "../../schema/system-tables.js";
import type { Column, Table } from "../../schema/types.js";
import { hasMergeKeys, orderedColumns } from "../sql/index.js";
import type { WriteDisposition } from "../../schema/types.js";
import { bqQuote, stagingColumn } from "./dialect.js";

/**
 * The statements that move one table chain (a root table and its child tables) from the per-load
 * staging tables into the dataset. BigQuery commits each statement on its own and there is no
 * transaction over a package, so every statement is written to be idempotent: run again after a
 * crash at any point, the chain ends with exactly the rows of one uninterrupted run.
 *
 * * append: one MERGE per table inserting the staged rows whose `_dlt_id` the table lacks
 *   (a `_dlt_id` is unique per row and fixed once the package is normalized), so a rerun inserts
 *   nothing twice and each table's rows appear in one atomic statement.
 * * replace: one MERGE per table that deletes every row not staged and inserts the staged ones
 *   (`ON FALSE ... WHEN NOT MATCHED BY SOURCE THEN DELETE`): an atomic swap per table, the same
 *   result however often it runs; a table with nothing staged is emptied.
 * * merge (with a primary or merge key): delete the children of stored roots whose key is staged,
 *   delete those roots, insert the staged roots (not the hard-deleted ones), then their children.
 *   A rerun deletes again what an interrupted run inserted (its roots carry staged keys) and
 *   inserts it once. Without keys merge appends, as in dlt.
 */
export interface ChainStatements {
  root: Table;
  children: Table[];
  disposition: WriteDisposition;
  /** Qualified dataset table. */
  target(table: string): string;
  /** Qualified staging table per table that the package has rows for. */
  staged: Map<string, string>;
}

function cols(t: Table): Column[] {
  return orderedColumns(t);
}

function list(t: Table, prefix = ""): string {
  return cols(t)
    .map((c) => `${prefix}${bqQuote(c.name)}`)
    .join(", ");
}

/** The staged rows in the dataset's types. */
function stagedSelect(t: Table, staging: string): string {
  const select = cols(t).map((c) => `${stagingColumn(c).expr(bqQuote(c.name))} AS ${bqQuote(c.name)}`);
  return `(SELECT ${select.join(", ")} FROM ${staging})`;
}

function insertValues(t: Table): string {
  return `INSERT (${list(t)}) VALUES (${list(t, "S.")})`;
}

function appendTable(c: ChainStatements, t: Table): string {
  const s = stagedSelect(t, c.staged.get(t.name)!);
  const id = bqQuote(C_ID);
  return `MERGE ${c.target(t.name)} AS T USING ${s} AS S ON T.${id} = S.${id} WHEN NOT MATCHED THEN ${insertValues(t)}`;
}

function replaceTable(c: ChainStatements, t: Table): string {
  const staging = c.staged.get(t.name);
  if (!staging) return `DELETE FROM ${c.target(t.name)} WHERE TRUE`;
  return `MERGE ${c.target(t.name)} AS T USING ${stagedSelect(t, staging)} AS S ON FALSE WHEN NOT MATCHED BY SOURCE THEN DELETE WHEN NOT MATCHED THEN ${insertValues(t)}`;
}

function keyMatch(keys: Column[], left: string, right: string): string {
  return keys.map((k) => `${left}.${bqQuote(k.name)} = ${right}.${bqQuote(k.name)}`).join(" AND ");
}

function mergeChain(c: ChainStatements): string[] {
  const all = Object.values(c.root.columns);
  const pk = all.filter((x) => x.primaryKey);
  const mk = all.filter((x) => x.mergeKey);
  const rootStaging = c.staged.get(c.root.name)!;
  const sRoot = stagedSelect(c.root, rootStaging);
  const target = c.target(c.root.name);
  const matched = [pk, mk]
    .filter((k) => k.length > 0)
    .map((k) => `EXISTS (SELECT 1 FROM ${sRoot} AS s WHERE ${keyMatch(k, "s", "d")})`)
    .join(" OR ");
  const hard = all.filter((x) => x.hardDelete);
  const kept = hard
    .map((h) => (h.dataType === "bool" ? `COALESCE(src.${bqQuote(h.name)}, FALSE) = FALSE` : `src.${bqQuote(h.name)} IS NULL`))
    .join(" AND ");
  const out: string[] = [];
  for (const child of [...c.children].reverse()) {
    out.push(
      `DELETE FROM ${c.target(child.name)} WHERE ${bqQuote(C_ROOT_ID)} IN (SELECT d.${bqQuote(C_ID)} FROM ${target} AS d WHERE ${matched})`,
    );
  }
  out.push(`DELETE FROM ${target} AS d WHERE ${matched}`);
  out.push(
    `INSERT INTO ${target} (${list(c.root)}) SELECT ${list(c.root, "src.")} FROM ${sRoot} AS src${kept ? ` WHERE ${kept}` : ""}`,
  );
  for (const child of c.children) {
    const staging = c.staged.get(child.name);
    if (!staging) continue;
    const where = kept
      ? ` WHERE src.${bqQuote(C_ROOT_ID)} IN (SELECT src.${bqQuote(C_ID)} FROM ${sRoot} AS src WHERE ${kept})`
      : "";
    out.push(
      `INSERT INTO ${c.target(child.name)} (${list(child)}) SELECT ${list(child, "src.")} FROM ${stagedSelect(child, staging)} AS src${where}`,
    );
  }
  return out;
}

export function chainStatements(c: ChainStatements): string[] {
  const tables = [c.root, ...c.children];
  if (c.disposition === "replace") return tables.map((t) => replaceTable(c, t));
  if (c.disposition === "merge" && hasMergeKeys(c.root) && c.staged.has(c.root.name)) return mergeChain(c);
  return tables.filter((t) => c.staged.has(t.name)).map((t) => appendTable(c, t));
}
