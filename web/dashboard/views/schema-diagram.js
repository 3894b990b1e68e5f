// The schema as a diagram: every root table with its child tables (lists Sage nests in a
// document), linked parent → child by _dlt_parent_id = parent._dlt_id. An SVG tree laid out
// by depth, one row per table, so it stays readable at any number of tables.

const SVG = "http://www.w3.org/2000/svg";
const ROW = 30;
const COL = 46;
const BOX_H = 22;
const CHAR = 7;

function el(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** `tables`: [{ name, parent?, columns }]; `onPick(name)` when a box is clicked. */
export function schemaDiagram(tables, onPick) {
  const byParent = new Map();
  for (const t of tables) byParent.set(t.parent ?? "", [...(byParent.get(t.parent ?? "") ?? []), t]);
  const known = new Set(tables.map((t) => t.name));
  const roots = tables.filter((t) => !t.parent || !known.has(t.parent));
  const placed = [];
  const walk = (t, depth, parentIndex) => {
    const index = placed.length;
    placed.push({ t, depth, parentIndex });
    for (const c of byParent.get(t.name) ?? []) walk(c, depth + 1, index);
  };
  for (const r of roots) walk(r, 0, -1);
  const label = (t) => `${t.name}  (${Object.keys(t.columns).length})`;
  const width = Math.max(400, ...placed.map((p) => p.depth * COL + label(p.t).length * CHAR + 40));
  const svg = el("svg", { width, height: placed.length * ROW + 10, role: "img", "aria-label": "tables and their child tables" });
  placed.forEach((p, i) => {
    const x = 4 + p.depth * COL;
    const y = 4 + i * ROW;
    if (p.parentIndex >= 0) {
      const px = 4 + placed[p.parentIndex].depth * COL + 14;
      const py = 4 + p.parentIndex * ROW + BOX_H;
      svg.append(el("path", { d: `M${px},${py} V${y + BOX_H / 2} H${x}`, fill: "none", stroke: "#9aa4b2", "stroke-width": 1.2 }));
    }
    const g = el("g", { class: "er-table", "data-table": p.t.name, cursor: "pointer" });
    const text = label(p.t);
    g.append(
      el("rect", {
        x,
        y,
        width: text.length * CHAR + 16,
        height: BOX_H,
        rx: 4,
        fill: p.t.parent ? "#eef4ff" : "#dbe7ff",
        stroke: "#6b8cce",
      }),
      el("text", { x: x + 8, y: y + 15, "font-size": 12, "font-family": "ui-monospace, monospace", fill: "#1f2328" }, text),
    );
    g.addEventListener("click", () => onPick(p.t.name));
    svg.append(g);
  });
  return svg;
}
