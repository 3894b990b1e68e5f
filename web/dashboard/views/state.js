// State: the incremental cursors per resource and business, with the load that last changed
// each, and the raw state JSON behind a toggle.
import { api, card, grid, h, pipelinePath } from "../dom.js";
import { formatInt } from "../format.js";

export async function renderState({ name }) {
  const s = await api(pipelinePath(name, "state"));
  const filter = h("input", {
    type: "search",
    placeholder: "filter by resource, business or key",
    "data-testid": "state-filter",
  });
  const body = h("div");
  const draw = () => {
    const q = filter.value.trim().toLowerCase();
    const rows = s.cursors.filter((c) => !q || [c.resource, c.business ?? "", c.key].some((x) => x.toLowerCase().includes(q)));
    body.replaceChildren(
      grid(
        [
          { label: "source" },
          { label: "resource" },
          { label: "business", nullText: "(all)" },
          { label: "key" },
          { label: "value" },
          { label: "last changed", time: true, nullText: "before the kept loads" },
          { label: "in load", nullText: "" },
        ],
        rows.map((c) => [c.source, c.resource, c.business, c.key, c.value, c.changedAt, c.changedInLoad]),
        { testId: "cursors" },
      ),
    );
  };
  filter.addEventListener("input", draw);
  draw();
  const resources = new Set(s.cursors.map((c) => `${c.source}/${c.resource}`));
  const raw = h("pre", { "data-testid": "raw-state", hidden: true }, JSON.stringify(s.raw, null, 2));
  const toggle = h("button", { "data-testid": "toggle-raw" }, "show raw JSON");
  toggle.addEventListener("click", () => {
    raw.hidden = !raw.hidden;
    toggle.textContent = raw.hidden ? "show raw JSON" : "hide raw JSON";
  });
  return [
    h(
      "div",
      { className: "cards" },
      card("resources with state", formatInt(resources.size)),
      card("cursor values", formatInt(s.cursors.length), "count-cursors"),
      card("loads compared", formatInt(s.loadsCompared)),
    ),
    h(
      "p",
      { className: "muted" },
      "“Last changed” is the start of the oldest kept load since which the value has not changed; the state moves only with a committed load.",
    ),
    h("div", { className: "toolbar" }, filter),
    body,
    h("h3", {}, "Raw state"),
    toggle,
    raw,
  ];
}
