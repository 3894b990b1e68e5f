import { getEndpoint } from "../../sage/catalog/index.js";
import type { SandboxClock } from "../clock.js";
import type { BusinessProfile } from "./businesses.js";
import { buildCore, CORE_TABLES } from "./build-core.js";
import { CODE_LISTS } from "./code-lists.js";
import { buildGenericTable } from "./generic-records.js";
import type { WorldSizes } from "./sizes.js";
import { Table } from "./table.js";
import { World, type RowRenderer, type WorldGenerators } from "./world.js";

/** Enumeration endpoints (`currencies`, `transaction_types`...): one row per code, created long before the history. */
function codeTable(w: World, name: string): Table {
  const t = new Table<{ code: string; label: string }>(name, w.idSeed, (r) => r.d.code);
  const created = w.clock.start - 900 * 86_400;
  for (const [code, label] of CODE_LISTS[name] ?? []) t.add({ code, label }, created);
  return t as unknown as Table;
}

const GENERATORS: WorldGenerators = {
  isCore: (name) => CORE_TABLES.has(name),
  buildCore,
  buildTable: (w, name) =>
    CODE_LISTS[name] ? codeTable(w, name) : (buildGenericTable(w, getEndpoint(name)) as unknown as Table),
};

/** A business's world, wired to this folder's generators and to the renderers the caller passes. */
export function createWorld(
  business: BusinessProfile,
  seed: number,
  sizes: WorldSizes,
  clock: SandboxClock,
  rendererOf: (name: string) => RowRenderer,
): World {
  return new World(business, seed, sizes, clock, GENERATORS, rendererOf);
}
