import { getEndpoint } from "../../sage/catalog/index.js";
import type { SandboxClock } from "../clock.js";
import { Rng, hashString } from "../random.js";
import { buildCore, CORE_TABLES } from "./build-core.js";
import type { BusinessProfile } from "./businesses.js";
import { CODE_LISTS, codeLabel, countryProfile, type CountryProfile } from "./code-lists.js";
import { buildGenericTable } from "./generic-records.js";
import { RENDERERS, type RenderOptions } from "../render/registry.js";
import type { WorldSizes } from "./sizes.js";
import { Table, type IdFn, type Row } from "./table.js";

/** A link stub, Sage's form of a reference: `{id, displayed_as, $path}`. */
export interface Stub {
  id: string;
  displayed_as: string;
  $path: string;
}

export type Rec = Record<string, unknown>;

/** Host of the `links[].href` values: Sage links to its web app; the sandbox to a host that cannot resolve. */
const APP_URL = "https://app.sage-sandbox.invalid";

/**
 * All the data of one simulated business. The accounting core (contacts to ledger entries) is
 * generated together on first use, because its tables reference each other; each long-tail
 * endpoint is generated on its own, on first use.
 */
export class World {
  readonly tables = new Map<string, Table>();
  readonly idSeed: readonly number[];
  readonly profile: CountryProfile;
  /** Bumped by every mutation; caches of derived lists key on it. */
  version = 0;
  private coreBuilt = false;

  constructor(
    readonly business: BusinessProfile,
    readonly seed: number,
    readonly sizes: WorldSizes,
    readonly clock: SandboxClock,
  ) {
    this.idSeed = [seed, business.index];
    this.profile = countryProfile(business.country);
  }

  get currency(): string {
    return this.business.currency;
  }

  /** The table behind a list endpoint, generated on first use. */
  table<T = unknown>(name: string): Table<T> {
    if (CORE_TABLES.has(name)) this.ensureCore();
    let t = this.tables.get(name);
    if (!t) {
      t = CODE_LISTS[name] ? this.codeTable(name) : (buildGenericTable(this, getEndpoint(name)) as unknown as Table);
      this.tables.set(name, t);
    }
    return t as Table<T>;
  }

  ensureCore(): void {
    if (this.coreBuilt) return;
    this.coreBuilt = true;
    buildCore(this);
  }

  /** Used by the builders: a new, empty table registered under `name`. */
  createTable<T>(name: string, idFn?: IdFn<T>): Table<T> {
    const t = new Table<T>(name, this.idSeed, idFn);
    this.tables.set(name, t as unknown as Table);
    return t;
  }

  rng(label: string): Rng {
    return new Rng(this.seed, this.business.index, hashString(label));
  }

  ref(name: string, seq: number): Stub {
    const t = this.table(name);
    const row = t.at(seq);
    const id = t.id(row);
    return { id, displayed_as: this.label(name, row), $path: `/${name}/${id}` };
  }

  codeRef(list: string, code: string): Stub {
    return { id: code, displayed_as: codeLabel(list, code), $path: `/${list}/${code}` };
  }

  links(name: string, id: string): Array<{ href: string; rel: string; type: string }> {
    return [{ href: `${APP_URL}/${name}/${id}`, rel: "alternate", type: "text/html" }];
  }

  label(name: string, row: Row): string {
    return this.renderer(name).label(row, this, name);
  }

  /** The record with every attribute (Sage's `attributes=all`). */
  render(name: string, row: Row, options: RenderOptions = { showPaymentsAllocations: false }): Rec {
    return this.renderer(name).render(row, this, options, name);
  }

  /** The business date of a row (for from_date/to_date and sort=date), as a day number. */
  dateOf(name: string, row: Row, field: "date" | "due_date"): number | undefined {
    return this.renderer(name).date?.(row, field, this);
  }

  private renderer(name: string) {
    return RENDERERS[name] ?? (CODE_LISTS[name] ? RENDERERS.__code! : RENDERERS.__generic!);
  }

  private codeTable(name: string): Table {
    const t = new Table<{ code: string; label: string }>(name, this.idSeed, (r) => r.d.code);
    const created = this.clock.start - 900 * 86_400;
    for (const [code, label] of CODE_LISTS[name] ?? []) t.add({ code, label }, created);
    return t as unknown as Table;
  }
}
