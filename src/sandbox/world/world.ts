import type { SandboxClock } from "../clock.js";
import { Rng, hashString } from "../random.js";
import type { BusinessProfile } from "./businesses.js";
import { codeLabel, countryProfile, type CountryProfile } from "./code-lists.js";
import type { WorldSizes } from "./sizes.js";
import { Table, type IdFn, type Row } from "./table.js";

/** A link stub, Sage's form of a reference: `{id, displayed_as, $path}`. */
export interface Stub {
  id: string;
  displayed_as: string;
  $path: string;
}

export type Rec = Record<string, unknown>;

export interface RenderOptions {
  /** `show_payments_allocations=true`: artefacts include their `payments_allocations`. */
  showPaymentsAllocations: boolean;
}

/**
 * How the rows of one table become Sage JSON. The renderers live in `../render/` and are handed
 * to the world when it is created: `world/` never imports `render/`, so data and presentation
 * depend one way only (render → world).
 */
export interface RowRenderer {
  label(row: Row, w: World, name: string): string;
  render(row: Row, w: World, options: RenderOptions, name: string): Rec;
  /** Day number of the business date or due date, for from_date/to_date and sorting. */
  date?(row: Row, field: "date" | "due_date", w: World): number | undefined;
}

/** How a world fills its tables on first use (the builders in this folder; see `create-world.ts`). */
export interface WorldGenerators {
  /** Whether `name` belongs to the accounting core, which is generated in one go. */
  isCore(name: string): boolean;
  /** Generate the whole accounting core (it registers its tables with `createTable`). */
  buildCore(w: World): void;
  /** Generate one table outside the core (code lists, long-tail endpoints). */
  buildTable(w: World, name: string): Table;
}

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
    private readonly generators: WorldGenerators,
    private readonly rendererOf: (name: string) => RowRenderer,
  ) {
    this.idSeed = [seed, business.index];
    this.profile = countryProfile(business.country);
  }

  get currency(): string {
    return this.business.currency;
  }

  /** The table behind a list endpoint, generated on first use. */
  table<T = unknown>(name: string): Table<T> {
    if (this.generators.isCore(name)) this.ensureCore();
    let t = this.tables.get(name);
    if (!t) {
      t = this.generators.buildTable(this, name);
      this.tables.set(name, t);
    }
    return t as Table<T>;
  }

  ensureCore(): void {
    if (this.coreBuilt) return;
    this.coreBuilt = true;
    this.generators.buildCore(this);
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
    return this.rendererOf(name).label(row, this, name);
  }

  /** The record with every attribute (Sage's `attributes=all`). */
  render(name: string, row: Row, options: RenderOptions = { showPaymentsAllocations: false }): Rec {
    return this.rendererOf(name).render(row, this, options, name);
  }

  /** The business date of a row (for from_date/to_date and sort=date), as a day number. */
  dateOf(name: string, row: Row, field: "date" | "due_date"): number | undefined {
    return this.rendererOf(name).date?.(row, field, this);
  }
}
