// Schema: searchable tables and columns with types, keys, nullability, descriptions from the Sage
// spec and parent/child links; the stored schema versions and a diff between two of them.
import { api, fill, grid, h, pipelinePath } from "../dom.js";
import { formatInt, formatTime } from "../format.js";
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

/** The versions of each schema, and a diff of two picked ones (default: the two newest). */
function versionsPanel(name, versions, versionsError) {
  const out = [h("h3", {}, "Schema versions")];
  if (versionsError)
    out.push(h("p", { className: "error" }, `The destination's _dlt_version could not be read: ${versionsError}`));
  out.push(
    grid(
      [
        { label: "schema" },
        { label: "version", numeric: true },
        { label: "hash" },
        { label: "stored in the destination", nullText: "no (working dir only)" },
        { label: "loads kept with it", wrap: true },
        { label: "current" },
      ],
      versions.map((v) => [
        v.schemaName,
        v.version,
        v.versionHash,
        v.insertedAt ? formatTime(v.insertedAt) : null,
        v.loadIds.join(", "),
        v.current ? "yes" : "",
      ]),
      { testId: "schema-versions" },
    ),
  );
  const bySchema = new Map();
  for (const v of versions) bySchema.set(v.schemaName, [...(bySchema.get(v.schemaName) ?? []), v]);
  const schemaPick = h(
    "select",
    { "data-testid": "diff-schema" },
    ...[...bySchema.keys()].map((s) => h("option", { value: s }, s)),
  );
  const fromPick = h("select", { "data-testid": "diff-from" });
  const toPick = h("select", { "data-testid": "diff-to" });
  const result = h("div", { "data-testid": "schema-diff" });
  const option = (v) => h("option", { value: v.versionHash }, `v${v.version} (${v.versionHash.slice(0, 8)})`);
  const fillPicks = () => {
    const list = bySchema.get(schemaPick.value) ?? [];
    fromPick.replaceChildren(...list.map(option));
    toPick.replaceChildren(...list.map(option));
    if (list.length >= 2) fromPick.value = list[list.length - 2].versionHash;
    if (list.length >= 1) toPick.value = list[list.length - 1].versionHash;
  };
  const show = () => {
    if (!fromPick.value || !toPick.value) {
      result.replaceChildren(h("p", { className: "muted" }, "This schema has one version only: nothing to compare yet."));
      return;
    }
    void fill(result, async () => {
      const q = new URLSearchParams({ schema: schemaPick.value, from: fromPick.value, to: toPick.value });
      return diffView(await api(`${pipelinePath(name, "schema-diff")}?${q}`));
    });
  };
  schemaPick.addEventListener("change", () => {
    fillPicks();
    show();
  });
  fromPick.addEventListener("change", show);
  toPick.addEventListener("change", show);
  fillPicks();
  if ((bySchema.get(schemaPick.value) ?? []).length < 2) {
    result.replaceChildren(h("p", { className: "muted" }, "This schema has one version only: nothing to compare yet."));
  } else show();
  out.push(
    h(
      "div",
      { className: "toolbar" },
      h("label", {}, "Diff of ", schemaPick),
      h("label", {}, " from ", fromPick),
      h("label", {}, " to ", toPick),
    ),
    result,
  );
  return out;
}

function diffView(d) {
  const counts = [
    ["tables added", d.tablesAdded.length, "diff-tables-added"],
    ["tables removed", d.tablesRemoved.length, "diff-tables-removed"],
    ["columns added", d.columnsAdded.length, "diff-columns-added"],
    ["columns removed", d.columnsRemoved.length, "diff-columns-removed"],
    ["types changed", d.typeChanged.length, "diff-types-changed"],
  ];
  const rows = [
    ...d.tablesAdded.map((t) => [
      "+",
      "table added",
      t.table,
      "",
      `${t.columns} columns${t.parent ? `, child of ${t.parent}` : ""}`,
    ]),
    ...d.tablesRemoved.map((t) => ["−", "table removed", t.table, "", `${t.columns} columns`]),
    ...d.columnsAdded.map((c) => ["+", "column added", c.table, c.column, c.type]),
    ...d.columnsRemoved.map((c) => ["−", "column removed", c.table, c.column, c.type]),
    ...d.typeChanged.map((c) => ["~", "type changed", c.table, c.column, `${c.from} → ${c.to}`]),
    ...d.nullableChanged.map((c) => [
      "~",
      "nullability changed",
      c.table,
      c.column,
      `${c.from ? "null" : "not null"} → ${c.to ? "null" : "not null"}`,
    ]),
    ...d.keysChanged.map((c) => ["~", "keys changed", c.table, c.column, `${c.from} → ${c.to}`]),
  ];
  return [
    h(
      "p",
      { "data-testid": "diff-summary" },
      `v${d.from.version} → v${d.to.version}: `,
      counts.map(([label, n]) => `${formatInt(n)} ${label}`).join(", "),
    ),
    rows.length === 0
      ? h("p", { className: "muted" }, "The two versions have the same tables and columns.")
      : grid(
          [{ label: "" }, { label: "change" }, { label: "table" }, { label: "column", nullText: "" }, { label: "detail" }],
          rows,
          {
            testId: "diff-table",
            rowClass: (r) => (r[0] === "+" ? "added" : r[0] === "−" ? "removed" : "changed"),
          },
        ),
  ];
}

export async function renderSchema({ name }) {
  const o = await api(pipelinePath(name, "schema"));
  const search = h("input", {
    type: "search",
    placeholder: "search tables, columns and descriptions",
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
        const hit = !q || t.name.toLowerCase().includes(q) || (t.description ?? "").toLowerCase().includes(q);
        const colHit = (c) => c.name.toLowerCase().includes(q) || (c.description ?? "").toLowerCase().includes(q);
        return { t, cols: hit ? cols : cols.filter(colHit), hit };
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
          t.description ? h("p", { className: "muted description" }, t.description) : "",
          grid(
            [
              { label: "column" },
              { label: "type" },
              { label: "nullable" },
              { label: "key" },
              { label: "description", wrap: true, nullText: "" },
            ],
            keyed.map((c) => [c.name, typeOf(c), c.nullable ? "yes" : "no", keysOf(c), c.description]),
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
    ...versionsPanel(name, o.versions ?? [], o.versionsError),
  ];
}
