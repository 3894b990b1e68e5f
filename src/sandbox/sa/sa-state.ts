import type { SandboxClock } from "../clock.js";
import type { SandboxOptions } from "../options.js";
import { Rng } from "../random.js";
import { SA_SERVICES, buildSaCompany, saCompanies, type SaCompany, type SaRow, type SaService } from "./sa-data.js";

export interface SaMutationRequest {
  /** Company ID (or 0-based position); default: the first company. */
  company?: number;
  /** Service name, e.g. "TaxInvoice" (default) or "Customer". */
  resource?: string;
  updates?: number;
  creates?: number;
  deletes?: number;
}

export interface SaMutationResult {
  company: number;
  resource: string;
  modified: string;
  created: number[];
  updated: number[];
  deleted: number[];
}

/** Fields an update changes, per service (the rest keep their values). */
const EDITED: Readonly<Record<string, string>> = {
  Customer: "Telephone",
  Supplier: "Telephone",
  Item: "Description",
  TaxType: "Name",
  Account: "Description",
  BankAccount: "Description",
  TaxInvoice: "Reference",
  CustomerReceipt: "Description",
  SupplierInvoice: "Reference",
  SupplierPayment: "Description",
  JournalEntry: "Description",
};

/** Companies, their data (generated on first use) and the per-minute limiter of the SA API. */
export class SaState {
  readonly companies: SaCompany[];
  private readonly data = new Map<number, Map<SaService, SaRow[]>>();
  private readonly windows = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();
  private readonly rng: Rng;

  constructor(
    private readonly options: SandboxOptions,
    private readonly clock: SandboxClock,
  ) {
    this.companies = saCompanies(options.seed, options.businesses);
    this.rng = new Rng(options.seed, 0x5a3a7e);
  }

  company(selector: number | undefined): SaCompany | undefined {
    if (selector === undefined) return this.companies[0];
    return (
      this.companies.find((c) => c.ID === selector) ?? (selector < this.companies.length ? this.companies[selector] : undefined)
    );
  }

  service(name: string): SaService | undefined {
    return SA_SERVICES.find((s) => s.toLowerCase() === name.toLowerCase());
  }

  rows(company: SaCompany, service: SaService): SaRow[] {
    let tables = this.data.get(company.ID);
    if (!tables) {
      const index = this.companies.indexOf(company);
      tables = buildSaCompany(this.options.seed, index, this.options.scale, this.clock.startDay());
      this.data.set(company.ID, tables);
    }
    return tables.get(service)!;
  }

  /**
   * Sage's limit: 100 requests a minute per API key + company + user; over it, 429 and a block
   * (an hour by default) that every further call extends. Returns whether the call may proceed.
   */
  admit(key: string, nowMs = Date.now()): boolean {
    const blocked = this.blockedUntil.get(key) ?? 0;
    const blockMs = this.options.saBlockSeconds * 1000;
    if (blocked > nowMs) {
      this.blockedUntil.set(key, nowMs + blockMs);
      return false;
    }
    const window = (this.windows.get(key) ?? []).filter((t) => t > nowMs - 60_000);
    window.push(nowMs);
    this.windows.set(key, window);
    if (window.length > this.options.saRequestsPerMinute) {
      this.blockedUntil.set(key, nowMs + blockMs);
      this.windows.set(key, []);
      return false;
    }
    return true;
  }

  /** Lift every block and forget the windows (tests). */
  resetLimits(): void {
    this.windows.clear();
    this.blockedUntil.clear();
  }

  mutate(request: SaMutationRequest): SaMutationResult {
    const company = this.company(request.company);
    if (!company) throw new Error(`unknown SA company ${String(request.company)}`);
    const service = this.service(request.resource ?? "TaxInvoice");
    if (!service) throw new Error(`unknown SA service ${String(request.resource)}; known: ${SA_SERVICES.join(", ")}`);
    const rows = this.rows(company, service);
    const now = this.clock.advance(3600 + this.rng.int(0, 59));
    const result: SaMutationResult = {
      company: company.ID,
      resource: service,
      modified: "",
      created: [],
      updated: [],
      deleted: [],
    };
    const live = () => rows.filter((r) => !result.updated.includes(r.id));
    const field = EDITED[service]!;
    for (let i = 0; i < (request.updates ?? 0) && live().length > 0; i++) {
      const row = this.rng.pick(live());
      const before = row.d[field];
      row.d[field] = `${(typeof before === "string" ? before : "").replace(/ \(edited \d+\)$/, "")} (edited ${i + 1})`.trim();
      row.modified = now;
      result.updated.push(row.id);
    }
    const maxId = () => Math.max(0, ...[...this.data.get(company.ID)!.values()].flat().map((r) => r.id));
    for (let i = 0; i < (request.creates ?? 0) && rows.length > 0; i++) {
      const template = this.rng.pick(rows);
      const row: SaRow = { id: maxId() + 1, created: now, modified: now, d: structuredClone(template.d) };
      if (typeof row.d.DocumentNumber === "string") row.d.DocumentNumber = `${row.d.DocumentNumber.replace(/\d+$/, "")}${row.id}`;
      rows.push(row);
      result.created.push(row.id);
    }
    // The SA API has no deleted_since: a deleted row is simply gone, and only a diff of ids shows it.
    for (let i = 0; i < (request.deletes ?? 0) && rows.length > 0; i++) {
      const candidates = rows.filter((r) => !result.created.includes(r.id) && !result.updated.includes(r.id));
      if (candidates.length === 0) break;
      const row = this.rng.pick(candidates);
      rows.splice(rows.indexOf(row), 1);
      result.deleted.push(row.id);
    }
    result.modified = new Date((now + 2 * 3600) * 1000).toISOString().slice(0, 19);
    return result;
  }
}
