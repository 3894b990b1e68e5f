import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The page's static files (web/dashboard/ in the package, beside dist/ and models/). */
export const WEB_DIR = fileURLToPath(new URL("../../web/dashboard/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
};

/**
 * Chart.js's UMD build, from the installed package (no CDN: the dashboard works offline). Its
 * package exports only its module entry points, so the file is found beside the resolved one.
 */
function chartJsFile(): string {
  const main = createRequire(import.meta.url).resolve("chart.js");
  return join(dirname(main), "chart.umd.min.js");
}

/** Only these names are served: nothing else on disk is reachable through a URL. */
const FILES: Record<string, () => string> = {
  "/": () => join(WEB_DIR, "index.html"),
  "/vendor/chart.umd.min.js": chartJsFile,
};
for (const f of ["style.css", "app.js", "dom.js", "format.js", "charts.js"]) FILES[`/assets/${f}`] = () => join(WEB_DIR, f);
for (const f of ["overview.js", "runs.js", "schema.js", "schema-diagram.js", "data.js", "state.js", "books.js", "sage.js"]) {
  FILES[`/assets/views/${f}`] = () => join(WEB_DIR, "views", f);
}

const cache = new Map<string, { body: Buffer; type: string }>();

/** The static file at `path`, or undefined when it is not one of the page's files. */
export function staticAsset(path: string): { body: Buffer; type: string } | undefined {
  const file = FILES[path];
  if (!file) return undefined;
  let hit = cache.get(path);
  if (!hit) {
    const f = file();
    hit = { body: readFileSync(f), type: TYPES[f.slice(f.lastIndexOf("."))] ?? "application/octet-stream" };
    cache.set(path, hit);
  }
  return hit;
}
