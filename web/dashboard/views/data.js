// Data: any table's rows, paged and sorted by the database (keys first), a read-only query box
// with a history kept in this browser (localStorage), and CSV downloads.
import { api, errorBox, grid, h, pipelinePath } from "../dom.js";
import { formatInt } from "../format.js";

const PAGE = 50;
const HISTORY = 20;
const DECIMAL = /^-?\d+(\.\d+)?$/;

function historyKey(name) {
  return `sage-pipeline:query-history:${name}`;
}
function readHistory(name) {
  try {
    const list = JSON.parse(localStorage.getItem(historyKey(name)) ?? "[]");
    return Array.isArray(list) ? list.filter((x) => typeof x === "string") : [];
  } catch {
    return [];
  }
}
function remember(name, sql) {
  const list = [sql, ...readHistory(name).filter((q) => q !== sql)].slice(0, HISTORY);
  localStorage.setItem(historyKey(name), JSON.stringify(list));
}

function csvCell(v) {
  if (v === null || v === undefined) return "";
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
function download(filename, columns, rows) {
  const text = [columns, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n");
  const a = h("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv" })), download: filename });
  document.body.append(a);
  a.click();
  a.remove();
}

/** Right-align a query result's column when every value in it is a number. */
function numericColumns(columns, rows) {
  return columns.map((_, i) => {
    const values = rows.map((r) => r[i]).filter((v) => v !== null && v !== undefined);
    return values.length > 0 && values.every((v) => typeof v === "number" || (typeof v === "string" && DECIMAL.test(v)));
  });
}

export async function renderData({ name, params }) {
  const counts = (await api(pipelinePath(name, "data"))).rowCounts;
  const tables = Object.keys(counts);
  const state = {
    table: params.get("table") ?? tables[0],
    sort: params.get("sort") ?? undefined,
    desc: params.get("desc") === "1",
    offset: Number(params.get("offset") ?? 0) || 0,
  };
  const picker = h(
    "select",
    { "data-testid": "table-picker" },
    ...tables.map((t) => h("option", { value: t, selected: t === state.table }, `${t} (${formatInt(counts[t])})`)),
  );
  const pageInfo = h("span", { className: "muted", "data-testid": "page-info" });
  const prev = h("button", { "data-testid": "prev" }, "‹ previous");
  const next = h("button", { "data-testid": "next" }, "next ›");
  const csv = h("button", {}, "download CSV");
  const area = h("div", { className: "scroll", "data-testid": "rows" });
  let page;

  const keepInUrl = () => {
    const q = new URLSearchParams({
      table: state.table,
      offset: String(state.offset),
      ...(state.sort ? { sort: state.sort } : {}),
      ...(state.desc ? { desc: "1" } : {}),
    });
    history.replaceState(null, "", `#/${encodeURIComponent(name)}/data?${q}`);
  };
  const fetchPage = (offset, limit) => {
    const q = new URLSearchParams({
      table: state.table,
      offset: String(offset),
      limit: String(limit),
      ...(state.sort ? { sort: state.sort } : {}),
      ...(state.desc ? { desc: "1" } : {}),
    });
    return api(`${pipelinePath(name, "rows")}?${q}`);
  };
  async function load() {
    if (!state.table) {
      area.replaceChildren(h("p", { className: "muted" }, "The dataset has no tables yet."));
      return;
    }
    keepInUrl();
    try {
      page = await fetchPage(state.offset, PAGE);
    } catch (err) {
      area.replaceChildren(errorBox(err));
      return;
    }
    state.sort = page.sort ?? undefined;
    const t = grid(
      page.columns.map((c) => ({ label: c.name, numeric: c.numeric })),
      page.rows,
      { testId: "rows-table" },
    );
    t.querySelectorAll("th").forEach((th, i) => {
      const col = page.columns[i];
      th.classList.add("sortable");
      th.title = `${col.type}${col.key ? ", key" : ""}${col.nullable ? "" : ", not null"} — click to sort`;
      th.dataset.column = col.name;
      if (col.name === page.sort) th.classList.add("sorted", ...(page.descending ? ["desc"] : []));
      th.addEventListener("click", () => {
        state.desc = state.sort === col.name ? !state.desc : false;
        state.sort = col.name;
        state.offset = 0;
        void load();
      });
    });
    area.replaceChildren(t);
    const last = Math.min(page.offset + page.rows.length, page.total);
    pageInfo.textContent =
      page.total === 0 ? "no rows" : `rows ${formatInt(page.offset + 1)}–${formatInt(last)} of ${formatInt(page.total)}`;
    prev.disabled = page.offset === 0;
    next.disabled = last >= page.total;
  }
  picker.addEventListener("change", () => {
    state.table = picker.value;
    state.sort = undefined;
    state.desc = false;
    state.offset = 0;
    void load();
  });
  prev.addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - PAGE);
    void load();
  });
  next.addEventListener("click", () => {
    state.offset += PAGE;
    void load();
  });
  csv.addEventListener("click", async () => {
    csv.disabled = true;
    try {
      const rows = [];
      let columns = [];
      for (let offset = 0; ; offset += 500) {
        const p = await fetchPage(offset, 500);
        columns = p.columns.map((c) => c.name);
        rows.push(...p.rows);
        if (p.rows.length === 0 || offset + p.rows.length >= p.total) break;
      }
      download(`${state.table}.csv`, columns, rows);
    } catch (err) {
      area.prepend(errorBox(err));
    } finally {
      csv.disabled = false;
    }
  });
  void load();

  // The query box: the database runs it in a read-only session; at most [query] max_rows rows.
  const box = h(
    "textarea",
    { "data-testid": "query", spellcheck: "false" },
    readHistory(name)[0] ?? `select * from "${state.table ?? "_dlt_loads"}" limit 20`,
  );
  const past = h("select", { "data-testid": "history" });
  const result = h("div", { "data-testid": "query-result" });
  const fillHistory = () =>
    past.replaceChildren(
      h("option", { value: "" }, "history…"),
      ...readHistory(name).map((q) => h("option", { value: q }, q.length > 90 ? `${q.slice(0, 90)}…` : q)),
    );
  fillHistory();
  past.addEventListener("change", () => {
    if (past.value) box.value = past.value;
  });
  let answer;
  const run = h("button", { className: "primary", "data-testid": "run-query" }, "Run");
  const queryCsv = h("button", { disabled: true }, "download CSV");
  run.addEventListener("click", async () => {
    const sql = box.value;
    result.replaceChildren(h("p", { className: "muted" }, "running…"));
    try {
      answer = await api(pipelinePath(name, "query"), { sql });
      remember(name, sql);
      fillHistory();
      const numeric = numericColumns(answer.columns, answer.rows);
      result.replaceChildren(
        h(
          "div",
          { className: "scroll" },
          grid(
            answer.columns.map((c, i) => ({ label: c, numeric: numeric[i] })),
            answer.rows,
          ),
        ),
        h(
          "p",
          { className: "muted" },
          `${formatInt(answer.rows.length)} row(s)${answer.truncated ? " (truncated: [query] max_rows)" : ""}`,
        ),
      );
      queryCsv.disabled = false;
    } catch (err) {
      result.replaceChildren(errorBox(err));
    }
  });
  queryCsv.addEventListener("click", () => answer && download("query.csv", answer.columns, answer.rows));

  return [
    h("div", { className: "toolbar" }, h("label", {}, "Table ", picker), prev, next, pageInfo, csv),
    area,
    h("h3", {}, "Query (read-only)"),
    box,
    h("div", { className: "toolbar" }, run, past, queryCsv),
    result,
  ];
}
