import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { Table } from "../schema/types.js";
import { LOADS_TABLE, VERSION_TABLE } from "../schema/system-tables.js";
import { ConfigError } from "../util/errors.js";
import { pipelineName, tableName } from "./pipeline-tools.js";
import { dltTable } from "./schema-views.js";
import { addTool } from "./tools.js";
import type { Workspace } from "./workspace.js";

/** Line-by-line diff of two texts (LCS): `-` only in `before`, `+` only in `after`, ` ` both. */
function lineDiff(before: string[], after: string[]): string[] {
  const n = before.length;
  const m = after.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = before[i] === after[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push(`  ${before[i++]!}`);
      j++;
    } else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) out.push(`+ ${after[j++]!}`);
    else out.push(`- ${before[i++]!}`);
  }
  return out;
}

function tableIn(schemaJson: unknown, name: string): Table | undefined {
  const text = typeof schemaJson === "string" ? schemaJson : JSON.stringify(schemaJson);
  const tables = (JSON.parse(text) as { tables?: Table[] }).tables ?? [];
  return tables.find((t) => t.name === name);
}

/** The tools that read the dataset: only through the destination's read-only query session. */
export function registerSqlTools(server: McpServer, ws: Workspace): void {
  addTool(
    server,
    "execute_sql_query",
    "Executes a SELECT statement on the pipeline's dataset for simple data analysis (unqualified table names are the dataset's). Read-only: the database refuses writes, file access and extensions. Use list_tables and get_table_schema for the tables and columns.",
    {
      pipeline_name: pipelineName,
      sql_select_query: z.string().min(1).describe("one SQL statement, e.g. SELECT count(*) FROM contacts"),
    },
    async ({ pipeline_name, sql_select_query }) => {
      const answer = await ws.withQuerySession(pipeline_name, (s) => s.query(sql_select_query));
      return {
        columns: answer.columns,
        rows: answer.rows.map((r) => answer.columns.map((c) => r[c])),
        truncated: answer.truncated,
      };
    },
  );

  addTool(
    server,
    "get_load_table",
    `Retrieve metadata about the data loaded: the rows of ${LOADS_TABLE} (load_id, schema_name, status, inserted_at, schema_version_hash), newest first.`,
    { pipeline_name: pipelineName },
    ({ pipeline_name }) =>
      ws.withQuerySession(pipeline_name, async (s) => (await s.query(`SELECT * FROM ${LOADS_TABLE} ORDER BY load_id DESC`)).rows),
  );

  addTool(
    server,
    "get_table_schema_changes",
    `The diff of a table's schema between the two newest schema versions stored in ${VERSION_TABLE} (\`-\` previous only, \`+\` current only).`,
    { pipeline_name: pipelineName, table_name: tableName },
    ({ pipeline_name, table_name }) =>
      ws.withQuerySession(pipeline_name, async (s) => {
        const schemaName = ws.defaultSchema(pipeline_name).name.replace(/'/g, "''");
        const { rows } = await s.query(
          `SELECT version, schema FROM ${VERSION_TABLE} WHERE schema_name = '${schemaName}' ORDER BY version DESC, inserted_at DESC LIMIT 2`,
        );
        const [current, previous] = rows;
        if (!current)
          throw new ConfigError(`pipeline ${pipeline_name} has no stored schema version yet`, { hint: "run it first" });
        const now = tableIn(current.schema, table_name);
        if (!now)
          throw new ConfigError(`the current schema has no table ${JSON.stringify(table_name)}`, { hint: "call list_tables" });
        const before = previous ? tableIn(previous.schema, table_name) : undefined;
        const lines = (t: Table | undefined) => (t ? JSON.stringify(dltTable(t), null, 2).split("\n") : []);
        return {
          current_version: current.version,
          previous_version: previous?.version ?? null,
          diff: lineDiff(lines(before), lines(now)).join("\n"),
        };
      }),
  );
}
