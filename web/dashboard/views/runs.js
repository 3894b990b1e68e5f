// Runs and loads: rows and duration per load over time, the last run's steps, each load's rows
// per table, step durations and schema version, the destination's _dlt_loads, and failed jobs.
import { chart } from "../charts.js";
import { api, card, fill, grid, h, pipelinePath, statusBadge } from "../dom.js";
import { formatInt } from "../format.js";

export async function renderRuns({ name }) {
  const r = await api(pipelinePath(name, "runs"));
  const oldestFirst = [...r.packages].reverse();
  const out = [
    h(
      "div",
      { className: "cards" },
      // Each count is the length of the list it heads.
      card("loads kept in the working dir", formatInt(r.packages.length), "count-packages"),
      card("loads in the destination", formatInt(r.destinationLoads.length), "count-destination-loads"),
      card("failed jobs", formatInt(r.failedJobs.length), "count-failed-jobs"),
      card("pending packages", formatInt(r.pending.extracted.length + r.pending.normalized.length)),
    ),
  ];
  if (oldestFirst.length > 0) {
    out.push(
      h(
        "div",
        { className: "panel" },
        h("h3", {}, "Rows loaded and duration per load"),
        chart({
          labels: oldestFirst.map((p) =>
            new Date(p.startedAt).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" }),
          ),
          datasets: [
            { label: "rows loaded", data: oldestFirst.map((p) => p.rows) },
            { label: "duration (s)", data: oldestFirst.map((p) => (p.durationMs ?? 0) / 1000), type: "line", axis: "y2" },
          ],
          yLabel: "rows",
          y2Label: "seconds",
          testId: "runs-chart",
        }),
      ),
    );
  }
  out.push(h("h3", {}, "Last run"));
  out.push(
    r.lastRun
      ? grid(
          [
            { label: "step" },
            { label: "load id", nullText: "" },
            { label: "started", time: true },
            { label: "duration", duration: true, nullText: "" },
            { label: "error", nullText: "" },
          ],
          r.lastRun.steps.map((s) => [s.step, s.loadId, s.startedAt, s.durationMs, s.error]),
          { testId: "last-run-steps" },
        )
      : h("p", { className: "muted" }, "This pipeline has not run yet."),
  );
  if (r.lastRun?.warnings?.length) out.push(...r.lastRun.warnings.map((w) => h("p", { className: "error" }, w)));

  out.push(h("h3", {}, "Failed jobs"));
  out.push(
    r.failedJobs.length === 0
      ? h("p", { className: "muted" }, "None: every job of every kept package loaded.")
      : grid(
          [{ label: "load id" }, { label: "job" }, { label: "destination's message" }, { label: "at", time: true, nullText: "" }],
          r.failedJobs.map((f) => [f.loadId, f.job, f.message, f.at]),
          {
            testId: "failed-jobs",
          },
        ),
  );

  // Items normalize could not take (no key, a shape the rules cannot take): the rest of their
  // package loaded; the destination keeps them in _dlt_rejected (the newest 50 here).
  const quarantined = h("div", { "data-testid": "rejected-items" });
  out.push(h("h3", {}, "Quarantined items (_dlt_rejected)"), quarantined);
  void fill(quarantined, async () => {
    const d = await api(pipelinePath(name, "data"));
    return (d.rejected || []).length === 0
      ? h("p", { className: "muted" }, "None: every item was normalized.")
      : grid(
          [
            { label: "load id" },
            { label: "resource" },
            { label: "business" },
            { label: "id", nullText: "" },
            { label: "item", numeric: true },
            // The request that returned the item, as stored (redacted); none for loads made
            // before sources tagged their pages.
            { label: "page", wrap: true, nullText: "" },
            { label: "reason", wrap: true },
          ],
          d.rejected.map((r) => [r.load_id, r.resource, r.business_id, r.item_id, r.item_index, r.page_url, r.reason]),
          { testId: "rejected-items-table" },
        );
  });

  out.push(h("h3", {}, "Loads kept in the working dir"));
  out.push(
    r.packages.length === 0
      ? h("p", { className: "muted" }, "No loaded package is kept (see [load] keep_loaded_packages).")
      : h(
          "div",
          { "data-testid": "loads" },
          grid(
            [
              { label: "load id" },
              { label: "started", time: true },
              { label: "status" },
              { label: "rows", numeric: true },
              { label: "tables", numeric: true },
              { label: "extract", duration: true, nullText: "" },
              { label: "normalize", duration: true, nullText: "" },
              { label: "load", duration: true, nullText: "" },
              { label: "total", duration: true, nullText: "" },
              { label: "schema version" },
            ],
            r.packages.map((p) => [
              p.loadId,
              p.startedAt,
              statusBadge(p.status),
              p.rows,
              Object.keys(p.rowsPerTable).length,
              p.steps.extract,
              p.steps.normalize,
              p.steps.load,
              p.durationMs,
              `${p.schemaName} v${p.schemaVersion} (${p.schemaVersionHash.slice(0, 8)})`,
            ]),
            { testId: "loads-table" },
          ),
          ...r.packages.map((p) =>
            h(
              "details",
              { className: "table-schema" },
              h("summary", {}, `Rows per table of load ${p.loadId} (${formatInt(p.rows)} rows)`),
              grid(
                [{ label: "table" }, { label: "rows", numeric: true }],
                Object.entries(p.rowsPerTable).sort(([a], [b]) => (a < b ? -1 : 1)),
              ),
            ),
          ),
        ),
  );

  out.push(h("h3", {}, "Loads in the destination (_dlt_loads)"));
  out.push(
    r.destinationError
      ? h("p", { className: "error" }, r.destinationError)
      : grid(
          [
            { label: "load id" },
            { label: "schema" },
            { label: "status" },
            { label: "inserted at", time: true },
            { label: "schema version hash", nullText: "" },
          ],
          r.destinationLoads.map((l) => [l.loadId, l.schemaName, statusBadge(l.status), l.insertedAt, l.schemaVersionHash]),
          { testId: "destination-loads" },
        ),
  );
  return out;
}
