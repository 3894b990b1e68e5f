import { getEndpoint } from "../../sage/catalog/index.js";
import { propertiesOf } from "../spec/index.js";
import { dayFromIso } from "../format.js";
import type { Rec } from "../world/world.js";
import { head, renderer, stamps } from "./renderer.js";

/** Enumeration endpoints: `{id: "GBP", displayed_as, $path}` and nothing else. */
export const CODE_RENDERER = renderer<{ code: string; label: string }>({
  label: (row) => row.d.label,
  render: (row, w, _o, name) => head(w, name, row),
});

/**
 * Long-tail endpoints: the stored record (generated from the definition) plus the row's own
 * id, path and timestamps, each only where the definition has that property.
 */
export const GENERIC_RENDERER = renderer<Rec>({
  label: (row) => (typeof row.d.displayed_as === "string" ? row.d.displayed_as : String(row.seq + 1)),
  date: (row, field) => {
    const v = row.d[field];
    return typeof v === "string" ? dayFromIso(v) : undefined;
  },
  render(row, w, _o, name) {
    const props = propertiesOf(getEndpoint(name).definition);
    const base = head(w, name, row);
    const out: Rec = {};
    if ("id" in props) out.id = base.id;
    if ("displayed_as" in props) out.displayed_as = base.displayed_as;
    if ("$path" in props) out.$path = base.$path;
    const s = stamps(row, "deleted_at" in props);
    for (const k of ["created_at", "updated_at", "deleted_at"]) if (k in props && s[k] !== undefined) out[k] = s[k];
    for (const [k, v] of Object.entries(row.d)) if (!(k in out) && k !== "id" && k !== "displayed_as") out[k] = v;
    return out;
  },
});
