// The dashboard's shell: the pipelines in the side bar, a tab per view, and routing by the URL
// hash (#/<pipeline>/<view>), so every view has an address and the back button works.
import { api, errorBox, h } from "./dom.js";
import { renderBooks } from "./views/books.js";
import { renderData } from "./views/data.js";
import { renderOverview } from "./views/overview.js";
import { renderRuns } from "./views/runs.js";
import { renderSage } from "./views/sage.js";
import { renderSchema } from "./views/schema.js";
import { renderState } from "./views/state.js";

const VIEWS = [
  { id: "overview", label: "Overview", render: renderOverview },
  { id: "runs", label: "Runs & loads", render: renderRuns },
  { id: "schema", label: "Schema", render: renderSchema },
  { id: "data", label: "Data", render: renderData },
  { id: "state", label: "State", render: renderState },
  { id: "sage", label: "Sage at a glance", render: renderSage },
  { id: "books", label: "Books", render: renderBooks },
];

let pipelines = [];

export function go(pipeline, view = "overview", query = "") {
  location.hash = `#/${encodeURIComponent(pipeline)}/${view}${query ? `?${query}` : ""}`;
}

function route() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [rawName, viewId = "overview"] = path.split("/");
  const name = rawName ? decodeURIComponent(rawName) : pipelines[0]?.name;
  return { name, view: VIEWS.find((v) => v.id === viewId) ?? VIEWS[0], params: new URLSearchParams(query) };
}

async function show() {
  const { name, view, params } = route();
  const main = document.getElementById("main");
  document.querySelectorAll("#pipelines a").forEach((a) => a.classList.toggle("active", a.dataset.name === name));
  document.getElementById("title").textContent = name ?? "Pipelines";
  document.getElementById("tabs").replaceChildren(
    ...(name ? VIEWS : VIEWS.slice(0, 1)).map((v) =>
      h(
        "a",
        {
          href: name ? `#/${encodeURIComponent(name)}/${v.id}` : "#",
          className: v === view ? "active" : "",
          "data-view": v.id,
        },
        v.label,
      ),
    ),
  );
  main.replaceChildren(h("p", { className: "muted" }, "loading…"));
  try {
    const content = await view.render({ name, params, pipelines, main });
    main.replaceChildren(...[content].flat());
    main.dataset.view = view.id;
  } catch (err) {
    main.replaceChildren(errorBox(err));
  }
}

async function start() {
  try {
    pipelines = await api("/api/pipelines");
  } catch (err) {
    document.getElementById("main").replaceChildren(errorBox(err));
    return;
  }
  const nav = document.getElementById("pipelines");
  if (pipelines.length === 0) nav.append(h("p", { className: "muted" }, "No pipelines yet: run one first."));
  for (const p of pipelines)
    nav.append(h("a", { href: `#/${encodeURIComponent(p.name)}/overview`, "data-name": p.name, title: p.name }, p.name));
  // `sage-pipeline show NAME` opens /?pipeline=NAME.
  const wanted = new URLSearchParams(location.search).get("pipeline");
  if (wanted && !location.hash) history.replaceState(null, "", `#/${encodeURIComponent(wanted)}/overview`);
  window.addEventListener("hashchange", show);
  await show();
}

start();
