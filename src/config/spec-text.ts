import type { AnyField } from "./spec.js";

/** A value as TOML writes it: `200`, `"https://..."`, `["a", "b"]`, `true`. */
export function tomlLiteral(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(tomlLiteral).join(", ")}]`;
  return JSON.stringify(v);
}

/** The value to show in a hint or template: the example, else the default, else a placeholder. */
export function exampleText(f: AnyField): string {
  if (f.example !== undefined) return tomlLiteral(f.example);
  if (f.default !== undefined) return tomlLiteral(f.default);
  switch (f.kind) {
    case "number":
    case "integer":
      return f.min !== undefined ? String(f.min) : "1";
    case "boolean":
      return "true";
    case "list":
      return f.items === "integer" ? "[1]" : '["..."]';
    case "choice":
      return tomlLiteral(f.choices?.[0] ?? "");
    default:
      return '"..."';
  }
}

function range(f: AnyField, noun: string, article: string): string {
  if (f.min !== undefined && f.max !== undefined) return `${article} ${noun} from ${f.min} to ${f.max}`;
  if (f.positive === true) return `a positive ${noun}`;
  if (f.min === 0) return `a non-negative ${noun}`;
  if (f.min !== undefined) return `${article} ${noun} of at least ${f.min}`;
  if (f.max !== undefined) return `${article} ${noun} of at most ${f.max}`;
  return `${article} ${noun}`;
}

/** What a value must be, for errors and the README's type column. */
export function expectedText(f: AnyField): string {
  if (f.expected !== undefined) return f.expected;
  switch (f.kind) {
    case "string":
    case "secret":
      return "a string";
    case "number":
      return range(f, "number", "a");
    case "integer":
      return range(f, "integer", "an");
    case "boolean":
      return "true or false";
    case "choice":
      return `one of ${(f.choices ?? []).map((c) => JSON.stringify(c)).join(", ")}`;
    case "list":
      return f.items === "integer" ? "a list of integers" : "a list of strings";
    case "credentials":
      return f.parse ? "a connection string or a table of fields" : "a table of fields";
  }
}

/** The type column of the README table. */
export function typeText(f: AnyField): string {
  switch (f.kind) {
    case "choice":
      return (f.choices ?? []).map((c) => `\`${c}\``).join(" | ");
    case "list":
      return f.items === "integer" ? "list of integers" : "list of strings";
    case "number":
    case "integer": {
      if (f.min !== undefined && f.max !== undefined) return `${f.kind} ${f.min}–${f.max}`;
      if (f.positive === true) return `${f.kind} > 0`;
      if (f.min !== undefined) return `${f.kind} ≥ ${f.min}`;
      if (f.max !== undefined) return `${f.kind} ≤ ${f.max}`;
      return f.kind;
    }
    case "credentials":
      return f.parse ? "string or table" : "table";
    default:
      return f.kind;
  }
}

/** The default column: the literal, or what the spec says it is. */
export function defaultText(f: AnyField): string {
  if (f.defaultDoc !== undefined) return f.defaultDoc;
  if (f.default === undefined) return "";
  return `\`${tomlLiteral(f.default)}\``;
}
