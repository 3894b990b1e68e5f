/**
 * The dashboard page: plain HTML, CSS and JavaScript with no build step and nothing fetched from
 * the internet. Every value from the API is inserted as text (never as HTML).
 */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sage-pipeline dashboard</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; display: flex; color: #222; }
  nav { width: 230px; background: #f4f5f7; min-height: 100vh; padding: 12px; box-sizing: border-box; }
  nav h1 { font-size: 15px; margin: 0 0 12px; }
  nav button { display: block; width: 100%; text-align: left; margin: 2px 0; padding: 6px 8px; border: 0; background: none; cursor: pointer; border-radius: 4px; }
  nav button.active, nav button:hover { background: #dfe3ea; }
  main { flex: 1; padding: 16px 24px; overflow-x: auto; }
  h2 { font-size: 17px; margin: 0 0 8px; } h3 { font-size: 15px; margin: 20px 0 6px; }
  table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
  th { background: #f4f5f7; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .facts td:first-child { color: #666; } pre { background: #f7f7f9; padding: 8px; max-height: 320px; overflow: auto; font-size: 12px; }
  textarea { width: 100%; max-width: 900px; height: 80px; font: 13px monospace; } .error { color: #b00020; white-space: pre-wrap; }
  a.table { cursor: pointer; color: #0b57d0; }
</style>
</head>
<body>
<nav><h1>sage-pipeline</h1><div id="pipelines"></div></nav>
<main id="main"><p>Choose a pipeline.</p></main>
<script>
const $ = (tag, attrs = {}, ...children) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (k === "onclick") el.onclick = v; else el.setAttribute(k, v);
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
};
const api = async (path, body) => {
  const res = await fetch(path, body ? { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {});
  const json = await res.json();
  if (!res.ok) throw new Error(json.error || res.statusText);
  return json;
};
const show = (v) => v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
function grid(columns, rows, numeric = []) {
  return $("table", {}, $("tr", {}, ...columns.map((c) => $("th", {}, c))),
    ...rows.map((r) => $("tr", {}, ...r.map((v, i) => $("td", numeric.includes(i) ? { class: "num" } : {}, show(v))))));
}
async function runQuery(name, sql, out) {
  out.replaceChildren("running...");
  try {
    const r = await api("/api/pipelines/" + encodeURIComponent(name) + "/query", { sql });
    out.replaceChildren(grid(r.columns, r.rows), r.truncated ? $("p", {}, "(first " + r.rows.length + " rows)") : "");
  } catch (e) { out.replaceChildren($("p", { class: "error" }, e.message)); }
}
async function open(name) {
  document.querySelectorAll("nav button").forEach((b) => b.classList.toggle("active", b.textContent === name));
  const main = document.getElementById("main");
  main.replaceChildren($("p", {}, "loading..."));
  try {
    const o = await api("/api/pipelines/" + encodeURIComponent(name));
    const box = $("textarea", {}, "select * from _dlt_loads order by load_id desc limit 10");
    const out = $("div");
    const tables = $("div", {}, "counting rows...");
    main.replaceChildren(
      $("h2", {}, name),
      $("table", { class: "facts" },
        ...[["dataset", o.dataset], ["destination", o.location || o.destination], ["working dir", o.workingDir],
            ["state version", o.state ? o.state._stateVersion : 0],
            ["packages", o.packages.loaded + " loaded, " + o.packages.normalized.length + " normalized and " + o.packages.extracted.length + " extracted pending"]]
          .map(([k, v]) => $("tr", {}, $("td", {}, k), $("td", {}, show(v))))),
      $("h3", {}, "Tables"), tables,
      $("h3", {}, "Reconciliation (newest per resource and business)"),
      (o.reconciliation || []).length > 0
        ? grid(["resource", "business", "in source", "loaded", "removed", "marked deleted", "load id", ""],
            o.reconciliation.map((r) => [r.resource, r.label || JSON.stringify(r.partition), r.total ?? r.listed, r.live, r.removed, r.marked, r.loadId,
              (r.total ?? r.listed) === r.live ? "" : "MISMATCH"]), [2, 3, 4, 5])
        : $("p", {}, "no reconciliation yet"),
      $("h3", {}, "Query (read-only)"), box, $("div", {}, $("button", { onclick: () => runQuery(name, box.value, out) }, "Run")), out,
      $("h3", {}, "Schema"), ...(o.schemas || []).map((s) => $("details", {}, $("summary", {}, s.name + " (version " + s.version + ")"),
        ...s.tables.filter((t) => !t.name.startsWith("_dlt_")).map((t) => $("div", {}, $("h4", {}, t.name + (t.parent ? " (child of " + t.parent + ")" : " · " + t.writeDisposition)),
          grid(["column", "type", "nullable", "key"], Object.values(t.columns).map((c) => [c.name, c.dataType + (c.dataType === "decimal" ? "(" + c.precision + "," + c.scale + ")" : ""), c.nullable, c.primaryKey ? "primary key" : c.variantOf ? "variant of " + c.variantOf : ""])))))),
      $("h3", {}, "State (incremental cursors and resource state)"), $("pre", {}, JSON.stringify(o.state, null, 2)),
      $("h3", {}, "Last run"), o.trace ? grid(["step", "load id", "started", "finished", "error"], o.trace.steps.map((s) => [s.step, s.loadId, s.startedAt, s.finishedAt, s.error])) : $("p", {}, "no run yet"),
    );
    try {
      const d = await api("/api/pipelines/" + encodeURIComponent(name) + "/data");
      const rows = Object.entries(d.rowCounts).map(([t, n]) => [t, n]);
      const list = grid(["table", "rows"], rows, [1]);
      list.querySelectorAll("tr td:first-child").forEach((td) => {
        const t = td.textContent;
        td.replaceChildren($("a", { class: "table", onclick: () => { box.value = 'select * from "' + t + '" limit 50'; runQuery(name, box.value, out); } }, t));
      });
      tables.replaceChildren(list, $("h3", {}, "Loads"), grid(["load id", "schema", "status", "inserted at"], d.loads.map((l) => [l.load_id, l.schema_name, l.status, l.inserted_at])),
        $("h3", {}, "Quarantined items (_dlt_rejected)"),
        d.rejected.length > 0
          ? grid(["load id", "resource", "business", "id", "item", "reason"], d.rejected.map((r) => [r.load_id, r.resource, r.business_id, r.item_id, r.item_index, r.reason]))
          : $("p", {}, "none"));
    } catch (e) { tables.replaceChildren($("p", { class: "error" }, e.message)); }
  } catch (e) { main.replaceChildren($("p", { class: "error" }, e.message)); }
}
api("/api/pipelines").then((list) => {
  const nav = document.getElementById("pipelines");
  if (list.length === 0) nav.append($("p", {}, "No pipelines yet."));
  for (const p of list) nav.append($("button", { onclick: () => open(p.name) }, p.name));
  const wanted = new URLSearchParams(location.search).get("pipeline");
  if (wanted) open(wanted); else if (list.length === 1) open(list[0].name);
});
</script>
</body>
</html>
`;
