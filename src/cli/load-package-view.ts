import type { JobFolder } from "../package/format.js";
import type { PipelineState } from "../pipeline/state.js";
import type { PackageStore } from "../package/store.js";
import { ConfigError } from "../util/errors.js";
import { formatTable } from "./text-table.js";

const FOLDERS: readonly JobFolder[] = ["new_jobs", "started_jobs", "completed_jobs", "failed_jobs"];

/** Where a package is: the newest of the working dir's unless an id is given. */
function findPackage(
  store: PackageStore<PipelineState>,
  id: string | undefined,
): { id: string; status: "extracted" | "normalized" | "loaded" | "failed" } {
  const all = (["extracted", "normalized", "loaded", "failed"] as const).flatMap((status) =>
    store.list(status).map((p) => ({ id: p, status })),
  );
  if (all.length === 0)
    throw new ConfigError("this pipeline has no load packages", {
      hint: "packages appear after a run; loaded ones are kept as [load] keep_loaded_packages says",
    });
  if (id === undefined) return all.sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true })).at(-1)!;
  const found = all.find((p) => p.id === id);
  if (!found)
    throw new ConfigError(`no load package ${id} in this pipeline`, {
      hint: `its packages: ${all.map((p) => `${p.id} (${p.status})`).join(", ")}`,
    });
  return found;
}

/** `pipeline X load-package [ID]`: one package's status, tables with rows, and jobs by folder. */
export function describeLoadPackage(
  store: PackageStore<PipelineState>,
  id: string | undefined,
): { text: string; json: Record<string, unknown> } {
  const pkg = findPackage(store, id);
  const lines = [`Load package ${pkg.id}: ${pkg.status.toUpperCase()}`];
  const json: Record<string, unknown> = { loadId: pkg.id, status: pkg.status };
  if (pkg.status === "extracted") {
    const m = store.readExtractedManifest(pkg.id);
    json.resources = m.resources;
    json.incomplete = m.incomplete ?? [];
    lines.push(`created ${m.createdAt} by source ${m.sourceName}; not normalized yet`);
    lines.push(
      formatTable(
        ["resource", "items"],
        m.resources.map((r) => [r.name, r.items]),
      ),
    );
    return { text: lines.join("\n"), json };
  }
  if (pkg.status === "failed") {
    const f = store.failedPackages().find((x) => x.loadId === pkg.id);
    json.failure = f ?? null;
    lines.push(
      f ? `moved aside after ${f.attempts} failed ${f.step} attempt(s) (${f.at}):\n  ${f.reason}` : "moved aside as failed",
    );
    return { text: lines.join("\n"), json };
  }
  const m = store.readNormalizedManifest(pkg.id, pkg.status);
  json.schemaName = m.schemaName;
  json.normalizedAt = m.normalizedAt;
  json.rowCounts = m.rowCounts;
  lines.push(`schema ${m.schemaName}, normalized ${m.normalizedAt}`);
  lines.push(
    formatTable(
      ["table", "rows"],
      Object.entries(m.rowCounts).sort(([a], [b]) => a.localeCompare(b)),
    ),
  );
  const jobs: Record<string, string[]> = {};
  for (const folder of FOLDERS) {
    const files = store.jobFiles(pkg.id, folder);
    if (files.length > 0) jobs[folder] = files;
  }
  json.jobs = jobs;
  const summary = Object.entries(jobs).map(([folder, files]) => `${files.length} ${folder.replace("_jobs", "")}`);
  lines.push(`jobs: ${summary.join(", ") || "none"}`);
  for (const file of jobs.failed_jobs ?? [])
    lines.push(`  failed ${file}: ${store.jobFailure(pkg.id, file) ?? "(no message recorded)"}`);
  return { text: lines.join("\n"), json };
}
