import type { WorkingDir } from "../../pipeline/working-dir.js";
import { loadIdTime } from "./access.js";

export interface CursorRow {
  source: string;
  resource: string;
  /** The Sage business the value belongs to (null: the resource's own state). */
  business: string | null;
  /** The state key: an incremental cursor's path, or a Sage source key such as lastRunStartedAt. */
  key: string;
  value: unknown;
  /** The load that committed this value (the oldest kept package with it since it last changed). */
  changedInLoad: string | null;
  changedAt: string | null;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every scalar cursor-like value of a state: per source, resource, business and key. */
function cursorValues(state: unknown): Array<Omit<CursorRow, "changedInLoad" | "changedAt">> {
  const out: Array<Omit<CursorRow, "changedInLoad" | "changedAt">> = [];
  const sources = isObject(state) && isObject(state.sources) ? state.sources : {};
  for (const [source, s] of Object.entries(sources)) {
    const resources = isObject(s) && isObject(s.resources) ? s.resources : {};
    for (const [resource, r] of Object.entries(resources)) {
      if (!isObject(r)) continue;
      const visit = (business: string | null, node: Json) => {
        for (const [key, v] of Object.entries(node)) {
          if (key === "businesses" && isObject(v)) {
            for (const [b, bs] of Object.entries(v)) if (isObject(bs)) visit(b, bs);
          } else if (key === "incremental" && isObject(v)) {
            for (const [path, inc] of Object.entries(v)) {
              if (isObject(inc)) out.push({ source, resource, business, key: path, value: inc.lastValue ?? null });
            }
          } else if (!isObject(v) && !Array.isArray(v)) {
            out.push({ source, resource, business, key, value: v });
          }
        }
      };
      visit(null, r);
    }
  }
  return out;
}

const id = (c: { source: string; resource: string; business: string | null; key: string }) =>
  JSON.stringify([c.source, c.resource, c.business, c.key]);

/**
 * Incremental cursors per resource and business, each with the load that last changed it: the
 * kept loaded packages carry the state as it was committed with them, so the value's "last
 * changed" is the oldest load since which it has not changed (older packages may be deleted,
 * then it is "at or before" that load).
 */
export function stateView(wd: WorkingDir): { cursors: CursorRow[]; raw: unknown; loadsCompared: number } {
  const state = wd.readState();
  const current = cursorValues(state);
  const store = wd.packages;
  const loads = store.list("loaded");
  const history = loads.map((loadId) => ({
    loadId,
    values: new Map(cursorValues(store.readState(store.loaded(loadId))).map((c) => [id(c), JSON.stringify(c.value)])),
  }));
  const cursors = current.map((c) => {
    const value = JSON.stringify(c.value);
    let changedInLoad: string | null = null;
    for (let i = history.length - 1; i >= 0; i--) {
      if (history[i]!.values.get(id(c)) !== value) break;
      changedInLoad = history[i]!.loadId;
    }
    return { ...c, changedInLoad, changedAt: changedInLoad ? loadIdTime(changedInLoad) : null };
  });
  return { cursors, raw: state ?? null, loadsCompared: loads.length };
}
