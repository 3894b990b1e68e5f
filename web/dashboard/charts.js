// Charts through Chart.js (loaded by index.html as the global `Chart`, from node_modules).
import { h } from "./dom.js";

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#64748b"];

/**
 * A chart in a fixed-height box. `datasets`: [{ label, data, type?: "bar" | "line", axis?: "y" | "y2", stack? }].
 * `y2Label` adds a second axis on the right (e.g. durations beside row counts).
 */
export function chart({ labels, datasets, yLabel, y2Label, stacked = false, testId }) {
  const canvas = h("canvas", { "aria-label": datasets.map((d) => d.label).join(", ") });
  const box = h("div", { className: "chart", "data-testid": testId }, canvas);
  const scales = {
    x: { stacked },
    y: {
      stacked,
      beginAtZero: true,
      title: { display: Boolean(yLabel), text: yLabel },
      ticks: { callback: (v) => Number(v).toLocaleString("en-US") },
    },
  };
  if (y2Label)
    scales.y2 = {
      position: "right",
      beginAtZero: true,
      grid: { drawOnChartArea: false },
      title: { display: true, text: y2Label },
    };
  // Chart.js waits until the canvas is attached to the page before it measures and draws.
  box.chart = new Chart(canvas, {
    type: "bar",
    data: {
      labels,
      datasets: datasets.map((d, i) => ({
        type: d.type ?? "bar",
        label: d.label,
        data: d.data,
        yAxisID: d.axis ?? "y",
        stack: d.stack,
        backgroundColor: d.type === "line" ? COLORS[i % COLORS.length] : `${COLORS[i % COLORS.length]}cc`,
        borderColor: COLORS[i % COLORS.length],
        borderWidth: d.type === "line" ? 2 : 0,
        tension: 0.2,
        pointRadius: 2,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales,
    },
  });
  return box;
}
