// Books (issue 14): per business, the P&L and balance sheet by month as tables and charts, aged
// debtors and creditors, and the data tests' results of the last `sage-pipeline models run`.
import { chart } from "../charts.js";
import { api, card, grid, h, pipelinePath, statusBadge } from "../dom.js";
import { formatInt, formatMoney, formatMonth, formatTime, sumDecimals } from "../format.js";

/** Months of the P&L the table shows (the chart shows them all). */
const PL_MONTHS = 12;
const BUCKETS = [
  ["bucket_0_30", "0–30 days"],
  ["bucket_31_60", "31–60 days"],
  ["bucket_61_90", "61–90 days"],
  ["bucket_over_90", "over 90 days"],
];
const label = (id) =>
  String(id)
    .replace(/_/g, " ")
    .toLowerCase()
    .replace(/^./, (c) => c.toUpperCase());

function testsPanel(b) {
  const byTest = new Map();
  for (const t of b.tests) byTest.set(t.test_name, [...(byTest.get(t.test_name) ?? []), t]);
  const failed = [...byTest.values()].filter((rows) => rows.some((r) => r.status === "fail")).length;
  return [
    h(
      "h3",
      {},
      "Data tests of the last models run",
      b.builtAt ? h("span", { className: "muted" }, ` — built ${formatTime(b.builtAt)}`) : "",
    ),
    h(
      "p",
      { "data-testid": "tests-summary" },
      failed === 0 ? statusBadge("pass") : statusBadge("fail"),
      ` ${formatInt(byTest.size - failed)} passed, ${formatInt(failed)} failed`,
    ),
    grid(
      [
        { label: "test" },
        { label: "status" },
        { label: "failures", numeric: true },
        { label: "business", nullText: "" },
        { label: "period", nullText: "" },
        { label: "difference", money: true, nullText: "" },
        { label: "detail" },
      ],
      [...byTest.entries()].map(([name, rows]) => {
        const fails = rows.filter((r) => r.status === "fail");
        const first = fails[0] ?? rows[0];
        return [
          name,
          statusBadge(fails.length ? "fail" : "pass"),
          fails.length,
          first.business_id,
          first.period,
          first.difference,
          first.detail,
        ];
      }),
      { testId: "data-tests" },
    ),
  ];
}

function profitAndLoss(b, currency) {
  const months = [...new Set(b.profitAndLoss.map((r) => r.period_month))].sort();
  if (months.length === 0)
    return [h("h3", {}, "Profit and loss"), h("p", { className: "muted" }, "No income or expense postings.")];
  const shown = months.slice(-PL_MONTHS);
  const cell = (rows, m, field) => sumDecimals(rows.filter((r) => r.period_month === m).map((r) => r[field]));
  const section = (cls) => b.profitAndLoss.filter((r) => r.account_class === cls);
  const types = (cls) => [...new Set(section(cls).map((r) => r.ledger_account_type))];
  const lines = [];
  for (const [cls, title] of [
    ["INCOME", "Income"],
    ["EXPENSE", "Expenses"],
  ]) {
    lines.push({ cls: "section", cells: [title, ...shown.map(() => "")] });
    for (const t of types(cls)) {
      const rows = section(cls).filter((r) => r.ledger_account_type === t);
      lines.push({ cls: "", cells: [label(t), ...shown.map((m) => cell(rows, m, "amount"))] });
    }
    lines.push({ cls: "total", cells: [`Total ${title.toLowerCase()}`, ...shown.map((m) => cell(section(cls), m, "amount"))] });
  }
  lines.push({ cls: "total net", cells: ["Net profit", ...shown.map((m) => cell(b.profitAndLoss, m, "profit"))] });
  const table = grid(
    [{ label: currency }, ...shown.map((m) => ({ label: formatMonth(m), money: true, nullText: "" }))],
    lines.map((l) => l.cells),
    {
      rowClass: (_r, i) => lines[i].cls,
      testId: "pl-table",
    },
  );
  table.querySelectorAll("thead th").forEach((th, i) => i > 0 && (th.dataset.month = shown[i - 1]));
  return [
    h("h3", {}, "Profit and loss by month"),
    h(
      "div",
      { className: "panel" },
      chart({
        labels: months.map(formatMonth),
        datasets: [
          { label: "income", data: months.map((m) => Number(cell(section("INCOME"), m, "amount"))) },
          { label: "expenses", data: months.map((m) => Number(cell(section("EXPENSE"), m, "amount"))) },
          { label: "net profit", data: months.map((m) => Number(cell(b.profitAndLoss, m, "profit"))), type: "line" },
        ],
        yLabel: currency,
        testId: "pl-chart",
      }),
    ),
    h("div", { className: "scroll" }, table),
  ];
}

function balanceSheet(b, currency) {
  const totals = b.balanceSheet.totals;
  const months = [...new Set(totals.map((r) => r.period_month))].sort();
  if (months.length === 0) return [h("h3", {}, "Balance sheet"), h("p", { className: "muted" }, "No balance sheet postings.")];
  const total = (section, m) =>
    sumDecimals(totals.filter((r) => r.section === section && r.period_month === m).map((r) => r.amount));
  const lineMonths = [...new Set(b.balanceSheet.lines.map((r) => r.period_month))].sort();
  const lines = [];
  for (const [section, title] of [
    ["ASSET", "Assets"],
    ["LIABILITY", "Liabilities"],
    ["EQUITY", "Equity"],
  ]) {
    lines.push({ cls: "section", cells: [title, ...lineMonths.map(() => "")] });
    const rows = b.balanceSheet.lines.filter((r) => r.section === section);
    const names = [...new Map(rows.map((r) => [`${r.line_type}|${r.nominal_code ?? ""}|${r.line_name}`, r])).values()];
    for (const n of names) {
      const same = rows.filter(
        (r) => r.line_type === n.line_type && r.line_name === n.line_name && r.nominal_code === n.nominal_code,
      );
      lines.push({
        cls: "",
        cells: [
          n.nominal_code ? `${n.nominal_code} ${n.line_name}` : n.line_name,
          ...lineMonths.map((m) => same.find((r) => r.period_month === m)?.amount ?? null),
        ],
      });
    }
    lines.push({ cls: "total", cells: [`Total ${title.toLowerCase()}`, ...lineMonths.map((m) => total(section, m))] });
  }
  const table = grid(
    [{ label: currency }, ...lineMonths.map((m) => ({ label: `end of ${formatMonth(m)}`, money: true, nullText: "" }))],
    lines.map((l) => l.cells),
    {
      rowClass: (_r, i) => lines[i].cls,
      testId: "bs-table",
    },
  );
  return [
    h("h3", {}, "Balance sheet by month"),
    h(
      "div",
      { className: "panel" },
      chart({
        labels: months.map(formatMonth),
        datasets: [
          { label: "assets", data: months.map((m) => Number(total("ASSET", m))), type: "line" },
          { label: "liabilities", data: months.map((m) => Number(total("LIABILITY", m))), type: "line" },
          { label: "equity", data: months.map((m) => Number(total("EQUITY", m))), type: "line" },
        ],
        yLabel: currency,
        testId: "bs-chart",
      }),
    ),
    h("div", { className: "scroll" }, table),
  ];
}

function aging(title, a, testId) {
  const t = a.totals;
  return h(
    "div",
    { className: "panel", "data-testid": testId },
    h("h3", {}, title, t.as_of_date ? h("span", { className: "muted" }, ` as of ${t.as_of_date}`) : ""),
    grid(
      [
        { label: "" },
        { label: "documents", numeric: true },
        ...BUCKETS.map(([, l]) => ({ label: l, money: true, nullText: "0.00" })),
        { label: "total", money: true, nullText: "0.00" },
      ],
      [
        ...a.contacts.map((c) => [c.contact_name ?? "(no name)", c.documents, ...BUCKETS.map(([k]) => c[k]), c.total]),
        ["All contacts", t.documents, ...BUCKETS.map(([k]) => t[k]), t.total],
      ],
      { rowClass: (_r, i) => (i === a.contacts.length ? "total" : ""), testId: `${testId}-table` },
    ),
    a.contacts.length === 10 ? h("p", { className: "muted" }, "The ten largest contacts, and the total of all.") : "",
  );
}

export async function renderBooks({ name, params }) {
  const business = params.get("business");
  const b = await api(`${pipelinePath(name, "books")}${business ? `?business=${encodeURIComponent(business)}` : ""}`);
  if (!b.modelsRun) {
    return h(
      "div",
      { className: "panel", "data-testid": "books-missing" },
      h("h3", {}, "No books yet"),
      h(
        "p",
        {},
        "The accounting models have not been built in this dataset. Run ",
        h("code", {}, `sage-pipeline models run ${name}`),
        " (or set [models] enabled = true to build them after every load), then reload.",
      ),
      h("p", { className: "muted" }, `Missing tables: ${b.missing.join(", ")}`),
    );
  }
  const picker = h(
    "select",
    { "data-testid": "business-picker" },
    ...b.businesses.map((x) =>
      h("option", { value: x.business_id, selected: x.business_id === b.business }, `${x.business_id} (${x.base_currency})`),
    ),
  );
  picker.addEventListener("change", () => {
    location.hash = `#/${encodeURIComponent(name)}/books?business=${encodeURIComponent(picker.value)}`;
  });
  const info = b.businesses.find((x) => x.business_id === b.business);
  if (!info) return [h("p", { className: "muted" }, "The models hold no business yet."), ...testsPanel(b)];
  const currency = info.base_currency ?? "";
  return [
    h(
      "div",
      { className: "toolbar" },
      h("label", {}, "Business ", picker),
      h(
        "span",
        { className: "muted" },
        `base currency ${currency}; books from ${formatMonth(info.first_month)} to ${formatMonth(info.last_month)}`,
      ),
    ),
    h(
      "div",
      { className: "cards" },
      card("aged debtors", `${formatMoney(b.debtors.totals.total ?? "0")} ${currency}`, "card-debtors"),
      card("aged creditors", `${formatMoney(b.creditors.totals.total ?? "0")} ${currency}`, "card-creditors"),
      card("businesses", formatInt(b.businesses.length)),
    ),
    ...testsPanel(b),
    ...profitAndLoss(b, currency),
    ...balanceSheet(b, currency),
    h("h3", {}, "Aged debtors and creditors"),
    h(
      "div",
      { className: "grid2" },
      aging("Aged debtors (AR)", b.debtors, "ar-aging"),
      aging("Aged creditors (AP)", b.creditors, "ap-aging"),
    ),
  ];
}
