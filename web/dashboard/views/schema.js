// Schema: searchable tables and columns with types, keys, nullability, and parent/child links.
import { api, grid, h, pipelinePath } from "../dom.js";
import { formatInt } from "../format.js";
import { schemaDiagram } from "./schema-diagram.js";

const typeOf = (c) => c.dataType + (c.dataType === "decimal" && c.precision ? `(${c.precision},${c.scale ?? 0})` : "");
const keysOf = (c) =>
  [
    c.primaryKey && "primary key",
    c.mergeKey && "merge key",
    c.hardDelete && "hard delete",
    c.variantOf && `variant of ${c.variantOf}`,
    c.system && "engine",
  ]
    .filter(Boolean)
    .join(", ");

export async function renderSchema({ name }) {
  const o = await api(pipelinePath(name));
  const search = h("input", {
    type: "search",
    placeholder: "search tables and columns",
    "data-testid": "schema-search",
    size: 40,
  });
  const list = h("div", { "data-testid": "schema-tables" });
  const diagram = h("div", { className: "scroll", "data-testid": "schema-diagram" });
  const pick = (table) => {
    const d = list.querySelector(`details[data-table="${CSS.escape(table)}"]`);
    if (!d) return;
    d.open = true;
    d.scrollIntoView({ block: "start" });
  };
  const schemas = o.schemas ?? [];
  const tables = schemas.flatMap((s) =>
    s.tables.filter((t) => !t.name.startsWith("_dlt_")).map((t) => ({ ...t, schema: s.name })),
  );
  const children = new Map();
  for (const t of tables) if (t.parent) children.set(t.parent, [...(children.get(t.parent) ?? []), t.name]);
  const link = (t) => h("a", { className: "link", href: `#/${encodeURIComponent(name)}/data?table=${encodeURIComponent(t)}` }, t);
  const draw = () => {
    const q = search.value.trim().toLowerCase();
    const shown = tables
      .map((t) => {
        const cols = Object.values(t.columns);
        const hit = !q || t.name.toLowerCase().includes(q);
        return { t, cols: hit ? cols : cols.filter((c) => c.name.toLowerCase().includes(q)), hit };
      })
      .filter((x) => x.hit || x.cols.length > 0);
    diagram.replaceChildren(
      schemaDiagram(
        shown.map((x) => x.t),
        pick,
      ),
    );
    list.replaceChildren(
      h("p", { className: "muted" }, `${formatInt(shown.length)} of ${formatInt(tables.length)} tables`),
      ...shown.map(({ t, cols }) => {
        const keyed = [...cols].sort(
          (a, b) =>
            Number(Boolean(b.primaryKey || b.mergeKey)) - Number(Boolean(a.primaryKey || a.mergeKey)) ||
            Number(Boolean(a.system)) - Number(Boolean(b.system)),
        );
        return h(
          "details",
          { className: "table-schema", open: Boolean(q), "data-table": t.name },
          h(
            "summary",
            {},
            h("strong", {}, t.name),
            h("span", { className: "badge" }, t.parent ? "child table" : t.writeDisposition),
            h("span", { className: "badge" }, `${Object.keys(t.columns).length} columns`),
            t.parent ? h("span", { className: "muted" }, " ← child of ", link(t.parent)) : "",
            children.has(t.name)
              ? h("span", { className: "muted" }, " → ", ...children.get(t.name).flatMap((c, i) => [i ? ", " : "", link(c)]))
              : "",
          ),
          grid(
            [{ label: "column" }, { label: "type" }, { label: "nullable" }, { label: "key" }],
            keyed.map((c) => [c.name, typeOf(c), c.nullable ? "yes" : "no", keysOf(c)]),
          ),
        );
      }),
    );
  };
  search.addEventListener("input", draw);
  draw();
  return [
    h(
      "p",
      {},
      ...schemas.map((s) =>
        h("span", { className: "badge" }, `schema ${s.name} version ${s.version} (${String(s.versionHash).slice(0, 8)})`),
      ),
    ),
    h("div", { className: "toolbar" }, search),
    h(
      "details",
      { className: "table-schema", open: true },
      h("summary", {}, "Diagram: tables and their child tables (click a table for its columns)"),
      diagram,
    ),
    list,
    h("p", { className: "muted" }, "Child tables link to their parent row by _dlt_parent_id = parent._dlt_id."),
  ];
}
