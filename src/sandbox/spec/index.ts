/**
 * Sage's read-side definitions, trimmed from the committed Swagger spec: what the sandbox
 * generates its long-tail records from and checks attribute names against. Only the sandbox
 * needs them, so they live here and not in `src/sage/catalog/` (which the Sage source loads on
 * every run).
 */
import { DEFINITIONS } from "./definitions.generated.js";
import type { SchemaNode } from "./schema-node.js";

export type { SchemaNode };
export { DEFINITIONS };

/** The definition `name`; throws for a name the spec does not have (a sandbox bug, not user input). */
export function getDefinition(name: string): SchemaNode {
  const def = DEFINITIONS[name];
  if (!def) throw new Error(`The Sage spec has no definition "${name}".`);
  return def;
}

/** The properties of a definition, or none for an unknown name. */
export function propertiesOf(name: string): Readonly<Record<string, SchemaNode>> {
  return DEFINITIONS[name]?.properties ?? {};
}
