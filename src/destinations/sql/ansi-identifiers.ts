/**
 * The dataset API and the conformance suite speak the SQL DuckDB and Postgres share, where
 * `"name"` is an identifier; in BigQuery and Databricks it is a string. So that the same SQL runs
 * on every destination ("only the destination changes"), a double-quoted name is re-quoted with
 * the engine's `quote` (backticks). String literals ('...'), backtick names and comments pass
 * through unchanged; both engines read backslash escapes inside them.
 */
export function ansiIdentifiersTo(sql: string, quote: (name: string) => string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === "`") {
      let j = i + 1;
      while (j < sql.length && sql[j] !== c) j += sql[j] === "\\" ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === "-" && sql[i + 1] === "-") {
      const j = sql.indexOf("\n", i);
      const end = j < 0 ? sql.length : j;
      out += sql.slice(i, end);
      i = end;
    } else if (c === "/" && sql[i + 1] === "*") {
      const j = sql.indexOf("*/", i + 2);
      const end = j < 0 ? sql.length : j + 2;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '"') {
      let name = "";
      let j = i + 1;
      for (; j < sql.length; j++) {
        if (sql[j] === '"') {
          if (sql[j + 1] === '"') {
            name += '"';
            j++;
            continue;
          }
          break;
        }
        name += sql.charAt(j);
      }
      out += quote(name);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
