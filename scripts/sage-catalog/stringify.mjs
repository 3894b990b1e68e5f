/**
 * JSON with two-space indentation, except that arrays of scalars and small flat objects
 * (`{ path, definition, reference }`) stay on one line: a readable, diffable 85-entry file.
 */
export function stringify(value, indent = "") {
  const inline = JSON.stringify(value);
  const flat = (v) => v === null || typeof v !== "object";
  if (flat(value)) return inline;
  if (Array.isArray(value)) {
    if (value.length === 0 || (value.every(flat) && inline.length <= 100)) return inline;
  } else if (Object.values(value).every(flat) && inline.length <= 100) {
    return inline;
  }
  const inner = indent + "  ";
  const parts = Array.isArray(value)
    ? value.map((v) => inner + stringify(v, inner))
    : Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringify(v, inner)}`);
  return `${Array.isArray(value) ? "[" : "{"}\n${parts.join(",\n")}\n${indent}${Array.isArray(value) ? "]" : "}"}`;
}
