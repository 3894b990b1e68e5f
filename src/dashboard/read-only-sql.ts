import { ConfigError } from "../util/errors.js";

const ALLOWED = /^\s*(select|with|values|from)\b/i;

/**
 * The dashboard's query box runs reads only: one statement, starting with a reading keyword.
 * (The dashboard listens on 127.0.0.1 for the user who runs it; this guards against a slip of
 * the keyboard, such as pasting a DROP, not against that user.)
 */
export function checkReadOnly(sql: string): string {
  const trimmed = sql.trim().replace(/;\s*$/, "");
  if (!trimmed) throw new ConfigError("the query is empty");
  if (!ALLOWED.test(trimmed)) {
    throw new ConfigError("the dashboard runs read-only queries: start with SELECT, WITH, FROM or VALUES");
  }
  // A `;` outside quotes would start a second statement.
  let quote: string | undefined;
  for (const ch of trimmed) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === ";") throw new ConfigError("one statement at a time");
  }
  return trimmed;
}
