import { C_ID, C_ROOT_ID } from "../../schema/system-tables.js";
import type { Column, Table, WriteDisposition } from "../../schema/types.js";
import { hasMergeKeys, orderedColumns } from "../sql/index.js";
import { dbxQuote } from "./dialect.js";
import type { CommitStep } from "./row-changes.js";

/**
 * The statements that move one table chain (a root table and its child tables) from the per-load
 * staging tables into the dataset. A Delta table commits each statement on its own (there is no
 * transaction over several statements or tables), so each is written to be idempotent: run again
 * after a crash at any point, the chain ends with exactly the rows of one uninterrupted run.
 *
 * * append: per table, `INSERT ... SELECT` of the staged rows whose `_dlt_id` the table lacks (a
 *   `_dlt_id` is unique per row and fixed once the package is normalized): a rerun inserts nothing
 *   twice, and each table's rows appear in one Delta commit.
 * * replace: per table, `INSERT OVERWRITE` with the staged rows (one atomic Delta commit that swaps
 *   the table's contents), or `TRUNCATE` when the package has none for it; the same result however
 *   often it runs.
 * * merge (with a primary or merge key), dlt's delete-insert: delete the children of stored roots
 *   whose key is staged, delete those roots, insert the staged roots (not the hard-deleted ones),
 *   then their children. A rerun deletes again what an interrupted run inserted (its roots carry
 *   staged keys) and inserts it once. Without keys merge appends, as in dlt. The deletes are row
 *   changes (row-changes.ts): DML on Delta, a rebuild of the table on any other provider.
 */
export interface ChainStatements {
  root: Table;
  children: Table[];
  disposition: WriteDisposition;
  /** Qualified dataset table. */
  target(table: string): string;
  /** Qualified staging table per table that the package has rows for (already in the dataset's types). */
  staged: Map<string, string>;
}

/**
 * Table aliases in the statements. Spark resolves `x.y` to field y of a column x before table
 * alias x, so a short alias would break on a table with a column of that name.
 */
const S = "_dlt_staged";
const T = "_dlt_target";

function list(t: Table, prefix = ""): string {
  return orderedColumns(t)
    .map((c) => `${prefix}${dbxQuote(c.name)}`)
    .join(", ");
}

function appendTable(c: ChainStatements, t: Table): string {
  const id = dbxQuote(C_ID);
  const target = c.target(t.name);
  return `INSERT INTO ${target} (${list(t)}) SELECT ${list(t, `${S}.`)} FROM ${c.staged.get(t.name)!} AS ${S} WHERE NOT EXISTS (SELECT 1 FROM ${target} AS ${T} WHERE ${T}.${id} = ${S}.${id})`;
}

function replaceTable(c: ChainStatements, t: Table): string {
  const staging = c.staged.get(t.name);
  if (!staging) return `TRUNCATE TABLE ${c.target(t.name)}`;
  return `INSERT OVERWRITE TABLE ${c.target(t.name)} (${list(t)}) SELECT ${list(t)} FROM ${staging}`;
}

function keyMatch(keys: Column[], left: string, right: string): string {
  return keys.map((k) => `${left}.${dbxQuote(k.name)} = ${right}.${dbxQuote(k.name)}`).join(" AND ");
}

function mergeChain(c: ChainStatements): CommitStep[] {
  const all = Object.values(c.root.columns);
  const pk = all.filter((x) => x.primaryKey);
  const mk = all.filter((x) => x.mergeKey);
  const rootStaging = c.staged.get(c.root.name)!;
  const target = c.target(c.root.name);
  const matched = [pk, mk]
    .filter((k) => k.length > 0)
    .map((k) => `EXISTS (SELECT 1 FROM ${rootStaging} AS ${S} WHERE ${keyMatch(k, S, T)})`)
    .join(" OR ");
  const hard = all.filter((x) => x.hardDelete);
  const kept = hard
    .map((h) =>
      h.dataType === "bool" ? `COALESCE(${S}.${dbxQuote(h.name)}, FALSE) = FALSE` : `${S}.${dbxQuote(h.name)} IS NULL`,
    )
    .join(" AND ");
  const id = dbxQuote(C_ID);
  const out: CommitStep[] = [];
  for (const child of [...c.children].reverse()) {
    out.push({
      kind: "deleteLinked",
      table: c.target(child.name),
      column: C_ROOT_ID,
      ids: `SELECT ${T}.${id} AS id FROM ${target} AS ${T} WHERE ${matched}`,
    });
  }
  out.push({ kind: "delete", table: target, alias: T, where: matched });
  out.push(
    `INSERT INTO ${target} (${list(c.root)}) SELECT ${list(c.root, `${S}.`)} FROM ${rootStaging} AS ${S}${kept ? ` WHERE ${kept}` : ""}`,
  );
  for (const child of c.children) {
    const staging = c.staged.get(child.name);
    if (!staging) continue;
    const where = kept
      ? ` WHERE ${S}.${dbxQuote(C_ROOT_ID)} IN (SELECT ${S}.${id} FROM ${rootStaging} AS ${S} WHERE ${kept})`
      : "";
    out.push(
      `INSERT INTO ${c.target(child.name)} (${list(child)}) SELECT ${list(child, `${S}.`)} FROM ${staging} AS ${S}${where}`,
    );
  }
  return out;
}

export function chainStatements(c: ChainStatements): CommitStep[] {
  const tables = [c.root, ...c.children];
  if (c.disposition === "replace") return tables.map((t) => replaceTable(c, t));
  if (c.disposition === "merge" && hasMergeKeys(c.root) && c.staged.has(c.root.name)) return mergeChain(c);
  return tables.filter((t) => c.staged.has(t.name)).map((t) => appendTable(c, t));
}
