// Overview: every pipeline's last run (status in words, when, duration, rows, errors, destination),
// then the open pipeline's facts and its tables with row counts.
import { api, card, fill, grid, h, pipelinePath, statusBadge } from "../dom.js";
import { formatInt, formatTime } from "../format.js";

// "contacts: 250 in Sage, 250 loaded": what the source said it holds beside the live rows, with
// what reconciliation removed or marked deleted; a row that still differs is flagged.
function reconciliation(records) {
  if (records.length === 0) return h("p", { className: "muted" }, "no reconciliation yet");
  const rows = records.map((r) => {
    const inSource = r.total ?? r.listed;
    return [
      r.resource,
      r.label || Object.values(r.partition).join(", "),
      inSource,
      r.live,
      r.removed,
      r.marked,
      r.loadId,
      inSource === r.live
        ? statusBadge("pass", "the live rows equal what the source holds")
        : statusBadge("fail", "the live rows differ from what the source holds"),
    ];
  });
  return grid(
    [
      { label: "resource" },
      { label: "business" },
      { label: "in source", numeric: true },
      { label: "loaded (live)", numeric: true },
      { label: "removed", numeric: true },
      { label: "marked deleted", numeric: true },
      { label: "load id" },
      { label: "agrees" },
    ],
    rows,
    { testId: "reconciliation-table" },
  );
}

export async function renderOverview({ name }) {
  const summary = await api("/api/summary");
  const count = (s) => summary.filter((p) => p.status === s).length;
  const rows = summary.map((p) => [
    h("a", { href: `#/${encodeURIComponent(p.name)}/overview`, className: "link" }, p.name),
    statusBadge(p.status, p.statusDetail),
    p.status === "failed" ? p.statusDetail : "",
    p.finishedAt ? formatTime(p.finishedAt) : "",
    p.durationMs,
    p.rows,
    p.errors,
    p.pendingPackages,
    p.dataset,
    p.destination,
  ]);
  const out = [
    h(
      "div",
      { className: "cards" },
      // Counted from the list below, so the header and the list always agree.
      card("pipelines", formatInt(summary.length), "count-pipelines"),
      card("last run succeeded", formatInt(count("succeeded")), "count-succeeded"),
      card("last run failed", formatInt(count("failed")), "count-failed"),
      card("never ran", formatInt(count("no run yet")), "count-never"),
    ),
    h("h3", {}, "Pipelines"),
    grid(
      [
        { label: "pipeline" },
        { label: "last run" },
        { label: "error", nullText: "", wrap: true },
        { label: "finished" },
        { label: "duration", duration: true, nullText: "" },
        { label: "rows loaded (last run)", numeric: true },
        { label: "errors", numeric: true },
        { label: "pending packages", numeric: true },
        { label: "dataset", nullText: "" },
        { label: "destination (redacted)", nullText: "", wrap: true },
      ],
      rows,
      { testId: "pipelines-table" },
    ),
  ];
  if (!name) return out;
  const o = await api(pipelinePath(name));
  const facts = [
    ["dataset", o.dataset],
    ["destination", o.location || o.destination],
    ["working dir", o.workingDir],
    ["state version", o.state ? o.state._stateVersion : 0],
    [
      "packages kept",
      `${o.packages.loaded} loaded; pending: ${o.packages.normalized.length} normalized, ${o.packages.extracted.length} extracted`,
    ],
  ];
  const tables = h("div");
  out.push(
    h("h3", {}, name),
    h(
      "table",
      { className: "facts" },
      h("tbody", {}, ...facts.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v ?? "")))),
    ),
    h("h3", {}, "Tables and rows"),
    tables,
    h("h3", {}, "Reconciliation with the source (newest per resource and business)"),
    reconciliation(o.reconciliation || []),
  );
  void fill(tables, async () => {
    const d = await api(pipelinePath(name, "data"));
    const entries = Object.entries(d.rowCounts);
    const total = entries.reduce((a, [, n]) => a + n, 0);
    return [
      h(
        "div",
        { className: "cards" },
        card("tables", formatInt(entries.length), "count-tables"),
        card("rows", formatInt(total), "count-rows"),
      ),
      h(
        "div",
        { className: "tables-list" },
        ...entries.map(([t, n]) =>
          h(
            "div",
            {},
            h("a", { className: "link", href: `#/${encodeURIComponent(name)}/data?table=${encodeURIComponent(t)}` }, t),
            " ",
            h("span", { className: "muted" }, formatInt(n)),
          ),
        ),
      ),
    ];
  });
  return out;
}
