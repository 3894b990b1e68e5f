// Sage at a glance: what the recent runs asked of the API (requests, 429s, retries) as a chart
// and a table, the last extract's requests per resource, and the businesses and resources Sage
// left out (403: no role in the area, 404: not in the country or plan, 401: no subscription).
import { chart } from "../charts.js";
import { api, card, grid, h, pipelinePath, statusBadge } from "../dom.js";
import { formatInt, formatTime } from "../format.js";

const when = (iso) => (iso ? new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" }) : "");

/** The skipped parts grouped by business and reason: "no active subscription" once, with its resources. */
function skippedTable(skipped) {
  if (skipped.length === 0)
    return h(
      "p",
      { className: "muted", "data-testid": "skipped-none" },
      "Nothing was skipped: every resource was read for every business.",
    );
  const groups = new Map();
  for (const s of skipped) {
    const who = s.label ?? (s.partition ? Object.values(s.partition).join(", ") : "(every business)");
    const key = `${who}\u0000${s.reason}`;
    const g = groups.get(key) ?? { who, reason: s.reason, status: s.status, resources: [] };
    g.resources.push(s.resource);
    groups.set(key, g);
  }
  const rows = [...groups.values()].sort((a, b) => (a.who < b.who ? -1 : a.who > b.who ? 1 : a.reason < b.reason ? -1 : 1));
  return grid(
    [
      { label: "business" },
      { label: "status", nullText: "" },
      { label: "why" },
      { label: "resources", numeric: true },
      { label: "skipped resources", wrap: true },
    ],
    rows.map((g) => [g.who, g.status, g.reason, g.resources.length, g.resources.sort().join(", ")]),
    { testId: "skipped-table" },
  );
}

export async function renderSage({ name }) {
  const s = await api(pipelinePath(name, "sage"));
  const last = s.lastExtract;
  const lastRow = [...s.runs].reverse().find((r) => r.requests !== null);
  const out = [
    h(
      "div",
      { className: "cards" },
      card("runs recorded", formatInt(s.totals.runs), "count-runs"),
      card("requests, last extract", lastRow ? formatInt(lastRow.requests) : "–", "count-requests"),
      card("429s, last extract", lastRow ? formatInt(lastRow.throttled) : "–", "count-throttled"),
      card("retries, last extract", lastRow ? formatInt(lastRow.retries) : "–", "count-retries"),
      card("skipped (resource, business)", formatInt(last ? last.skipped.length : 0), "count-skipped"),
    ),
  ];
  const charted = s.runs.filter((r) => r.requests !== null);
  if (charted.length > 0) {
    out.push(
      h(
        "div",
        { className: "panel" },
        h("h3", {}, "Requests per run"),
        chart({
          labels: charted.map((r) => when(r.startedAt)),
          datasets: [
            { label: "requests", data: charted.map((r) => r.requests) },
            { label: "429 Too Many Requests", data: charted.map((r) => r.throttled), type: "line", axis: "y2" },
            { label: "retries", data: charted.map((r) => r.retries), type: "line", axis: "y2" },
          ],
          yLabel: "requests",
          y2Label: "429s and retries",
          testId: "requests-chart",
        }),
      ),
    );
  } else {
    out.push(
      h(
        "p",
        { className: "muted" },
        "No run with counted requests yet: the counts are recorded by every run from this version on.",
      ),
    );
  }

  out.push(h("h3", {}, "Runs"));
  out.push(
    grid(
      [
        { label: "started" },
        { label: "status" },
        { label: "duration", duration: true, nullText: "" },
        { label: "requests", numeric: true, nullText: "–" },
        { label: "429s", numeric: true },
        { label: "retries", numeric: true },
        { label: "failed", numeric: true },
        { label: "no answer", numeric: true },
        { label: "skipped", numeric: true },
        { label: "load id", nullText: "" },
      ],
      [...s.runs]
        .reverse()
        .map((r) => [
          formatTime(r.startedAt),
          statusBadge(r.status),
          r.durationMs,
          r.requests,
          r.throttled,
          r.retries,
          r.failed,
          r.unanswered,
          r.skipped,
          r.loadIds.join(", ") || null,
        ]),
      { testId: "runs-requests" },
    ),
  );

  if (last) {
    out.push(
      h("h3", {}, "Requests per resource, last extract ", h("span", { className: "muted" }, `(${formatTime(last.startedAt)})`)),
      grid(
        [
          { label: "resource" },
          { label: "items", numeric: true, nullText: "" },
          { label: "requests", numeric: true },
          { label: "429s", numeric: true },
          { label: "retries", numeric: true },
          { label: "failed", numeric: true },
          { label: "no answer", numeric: true },
          { label: "responses by status", wrap: true },
        ],
        last.resources.map((r) => [
          r.shared ? h("span", { title: "requests every resource shared" }, `${r.name} (shared)`) : r.name,
          r.items,
          r.requests,
          r.throttled,
          r.retries,
          r.failed,
          r.unanswered,
          Object.entries(r.responses)
            .sort(([a], [b]) => Number(a) - Number(b))
            .map(([status, n]) => `${status}: ${formatInt(n)}`)
            .join(", "),
        ]),
        { testId: "resource-requests", rowClass: (r) => (r[3] > 0 ? "warn" : "") },
      ),
      h("h3", {}, "Skipped businesses and resources, last extract"),
      skippedTable(last.skipped),
      h(
        "p",
        { className: "muted" },
        "A skip is not a failure: Sage answers 403 when the user has no role in the area, 404 when the endpoint is not offered in the business's country or plan, and 401 “no active subscription” for a lapsed business. The run is complete without them. “Failed” counts requests that ended in an error answer or ran out of attempts, so a skip's 403 or 404 is one of them; “no answer”: dropped connections and timeouts.",
      ),
    );
  }
  return out;
}
