import { DataError } from "../../util/errors.js";
import { findAll } from "../../util/json-path.js";

/** The value at `hasMorePath` as a boolean (`true`, `"true"`, `1`...); missing is a config error. */
export function readHasMore(body: unknown, path: string, paginator: string): boolean {
  const found = findAll(body, path);
  const v = found[0];
  if (found.length === 0 || v === null || v === undefined) {
    throw new DataError(`${paginator}: hasMorePath ${path} is not in the response`, {
      hint: "point hasMorePath at the boolean that says whether more pages follow, or remove it",
    });
  }
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (["true", "1", "yes"].includes(s)) return true;
    if (["false", "0", "no", ""].includes(s)) return false;
  }
  throw new DataError(`${paginator}: hasMorePath ${path} holds ${JSON.stringify(v)}, not a boolean`, {
    hint: "point hasMorePath at a true/false value",
  });
}

/** Top-level keys of a body, for messages that help fix a path. */
export function keysOf(body: unknown): string {
  if (body === null || typeof body !== "object") return `a ${body === null ? "null" : typeof body} body`;
  if (Array.isArray(body)) return "a top-level array";
  const keys = Object.keys(body);
  return keys.length === 0 ? "an empty object" : `keys: ${keys.slice(0, 15).join(", ")}${keys.length > 15 ? ", …" : ""}`;
}
