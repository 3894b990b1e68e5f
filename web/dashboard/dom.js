// Small DOM helpers. Every value from the API is inserted as text, never as HTML.
import { formatCell } from "./format.js";

/** An element with attributes (`on*` functions become listeners) and children (nodes or text). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "className") el.className = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** GET or POST (JSON) an API path; throws the server's error message. */
export async function api(path, body) {
  const init = body ? { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {};
  const res = await fetch(path, init);
  const json = await res.json();
  if (!res.ok) throw new Error(json.error || res.statusText);
  return json;
}

export const pipelinePath = (name, rest) => `/api/pipelines/${encodeURIComponent(name)}${rest ? `/${rest}` : ""}`;

/**
 * A table. `columns`: [{ label, numeric?, money?, duration?, time?, wrap?, nullText? }]; `rows`: arrays of cell values
 * (a Node is inserted as is). `rowClass(row, i)` may name a class for a row.
 */
export function grid(columns, rows, { rowClass, testId } = {}) {
  const isNum = (c) => c.numeric || c.money || c.duration;
  const head = h("tr", {}, ...columns.map((c) => h("th", { className: isNum(c) ? "num" : "" }, c.label)));
  const body = rows.map((r, i) =>
    h(
      "tr",
      { className: rowClass ? rowClass(r, i) : "" },
      ...columns.map((c, j) => {
        const v = r[j];
        if (v instanceof Node) return h("td", { className: isNum(c) ? "num" : "" }, v);
        const cls = [isNum(c) ? "num" : "", c.wrap ? "wrap" : "", v === null || v === undefined ? "null" : ""].join(" ").trim();
        return h("td", { className: cls }, formatCell(v, c));
      }),
    ),
  );
  return h("table", { "data-testid": testId }, h("thead", {}, head), h("tbody", {}, ...body));
}

export function card(label, value, testId) {
  return h(
    "div",
    { className: "card", "data-testid": testId },
    h("div", { className: "label" }, label),
    h("div", { className: "value" }, value),
  );
}

export function statusBadge(word, title) {
  const cls = ["succeeded", "failed", "pass", "fail", "loaded"].includes(word) ? word : "other";
  return h("span", { className: `status ${cls}`, title }, word);
}

export function errorBox(err) {
  return h("p", { className: "error" }, err instanceof Error ? err.message : String(err));
}

/** Replace `el`'s children with the result of `render()`, or an error message. */
export async function fill(el, render) {
  el.replaceChildren(h("p", { className: "muted" }, "loading…"));
  try {
    el.replaceChildren(...[await render()].flat());
  } catch (err) {
    el.replaceChildren(errorBox(err));
  }
}
